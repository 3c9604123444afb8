"""``--impl=langchain_js``: LangChain.js (``@langchain/core``) over the wire protocol.

The driver ``conformance/drivers/js/langchain_core.mjs`` runs under Node and serves the
library's real ``CallbackManager`` (async lane only: LangChain.js has no sync manager);
its hello declares the capabilities, the release and the known deviations
(``specs/wire.md``). Requirements: see :mod:`conformance.adapters.node`.
"""

from __future__ import annotations

from conformance.adapter import Adapter
from conformance.adapters import node

DRIVER_DIR = node.DRIVER_DIR
NAME = "langchain_js"
PACKAGE = "@langchain/core"


def missing() -> str | None:
    """Why the driver cannot start here (one line saying what to do), or ``None``."""
    return node.missing(NAME, DRIVER_DIR, PACKAGE)


def adapter() -> Adapter:
    """The adapter over the Node driver (started now: its hello says what it certifies)."""
    return node.adapter(NAME, DRIVER_DIR, "langchain_core.mjs", PACKAGE)

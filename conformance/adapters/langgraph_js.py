"""``--impl=langgraph_js``: LangGraph.js (``@langchain/langgraph``) run streams over the
wire protocol.

The driver ``conformance/drivers/js/langgraph.mjs`` runs under Node and serves the
``GraphRunStream`` the library's own ``createGraphRunStream()`` builds over the kit's
scripted source (async lane only: LangGraph.js has no sync run stream); its hello
declares the capabilities, the release and the known deviations (``specs/wire.md``).
Requirements: see :mod:`conformance.adapters.node`.
"""

from __future__ import annotations

from conformance.adapter import Adapter
from conformance.adapters import node

DRIVER_DIR = node.DRIVER_DIR
NAME = "langgraph_js"
PACKAGE = "@langchain/langgraph"


def missing() -> str | None:
    """Why the driver cannot start here (one line saying what to do), or ``None``."""
    return node.missing(NAME, DRIVER_DIR, PACKAGE)


def adapter() -> Adapter:
    """The adapter over the Node driver (started now: its hello says what it certifies)."""
    return node.adapter(NAME, DRIVER_DIR, "langgraph.mjs", PACKAGE)

"""``--impl=langchain_js``: LangChain.js (``@langchain/core``) over the wire protocol.

The driver ``conformance/drivers/js/langchain_core.mjs`` runs under Node and serves the
library's real ``CallbackManager`` (async lane only: LangChain.js has no sync manager);
its hello declares the capabilities, the release and the known deviations
(``specs/wire.md``). It needs ``node`` (20 or later) on ``PATH`` and the driver's pinned
packages installed: ``npm ci --prefix conformance/drivers/js``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conformance.adapter import Adapter, AdapterError

DRIVER_DIR = Path(__file__).resolve().parent.parent / "drivers" / "js"
DRIVER = DRIVER_DIR / "langchain_core.mjs"
NAME = "langchain_js"
SPEC = "wire:langchain_js"


def _shown(path: Path) -> str:
    """``path`` relative to the current directory when it lies below it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:
        return str(path)


def missing() -> str | None:
    """Why the driver cannot start here (one line saying what to do), or ``None``."""
    node = shutil.which("node")
    if node is None:
        return (f"--impl={NAME} needs Node.js 20 or later: no `node` on PATH (install Node, "
                f"then run: npm ci --prefix {_shown(DRIVER_DIR)})")
    if not (DRIVER_DIR / "node_modules" / "@langchain" / "core" / "package.json").is_file():
        return (f"--impl={NAME}: the JS driver's packages are not installed; run: "
                f"npm ci --prefix {_shown(DRIVER_DIR)}")
    return None


def adapter() -> Adapter:
    """The adapter over the Node driver (started now: its hello says what it certifies)."""
    reason = missing()
    if reason is not None:
        raise AdapterError(reason)
    from conformance.adapters.wire.kit import adapter_for, driver_for

    node = shutil.which("node")
    assert node is not None
    driver = driver_for(SPEC, label=NAME, command=[node, str(DRIVER)], cwd=str(DRIVER_DIR))
    return adapter_for(driver, name=NAME)

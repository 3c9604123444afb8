"""Drivers that run under Node.js: LangChain.js and LangGraph.js over the wire protocol.

Each is a script in ``conformance/drivers/js/`` that serves one library of the npm
packages pinned in that directory's ``package-lock.json`` (``specs/wire.md``, "Drivers").
They need ``node`` (20 or later) on ``PATH`` and those packages installed:
``npm ci --prefix conformance/drivers/js``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conformance.adapter import Adapter, AdapterError

DRIVER_DIR = Path(__file__).resolve().parent.parent / "drivers" / "js"


def shown(path: Path) -> str:
    """``path`` relative to the current directory when it lies below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if not relative.startswith("..") else str(path)


def missing(name: str, driver_dir: Path, package: str) -> str | None:
    """Why the Node driver of ``--impl=name`` cannot start here (one line saying what to
    do), or ``None``. ``package`` is the npm package it serves."""
    if shutil.which("node") is None:
        return (f"--impl={name} needs Node.js 20 or later: no `node` on PATH (install Node, "
                f"then run: npm ci --prefix {shown(driver_dir)})")
    if not (driver_dir / "node_modules" / package / "package.json").is_file():
        return (f"--impl={name}: the JS driver's packages are not installed; run: "
                f"npm ci --prefix {shown(driver_dir)}")
    return None


def adapter(name: str, driver_dir: Path, script: str, package: str) -> Adapter:
    """The adapter over the Node driver ``script`` (started now: its hello says what it
    certifies)."""
    reason = missing(name, driver_dir, package)
    if reason is not None:
        raise AdapterError(reason)
    from conformance.adapters.wire.kit import adapter_for, driver_for

    node = shutil.which("node")
    assert node is not None
    driver = driver_for(f"wire:{name}", label=name,
                        command=[node, str(driver_dir / script)], cwd=str(driver_dir))
    return adapter_for(driver, name=name)

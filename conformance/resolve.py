"""Resolving ``--impl=NAME`` to an adapter.

Order: built-in adapters; the ``runcert.adapters`` entry-point group; an importable
module (``pkg.mod`` or ``pkg.mod:attr``) exposing a module-level ``runcert_adapter``.
"""

from __future__ import annotations

import importlib
import os
import sys
from importlib.metadata import entry_points
from typing import Any

from conformance.adapter import Adapter, AdapterError, validate_adapter

BUILTIN = {
    "reference": "conformance.adapters.reference",
    "langchain_core": "conformance.adapters.langchain_core",
    "langgraph": "conformance.adapters.langgraph",
}
ENTRY_POINT_GROUP = "runcert.adapters"
ADAPTER_ATTRIBUTE = "runcert_adapter"
EXTRAS = {"langchain_core": "langchain-core", "langgraph": "langgraph"}


class ResolutionError(Exception):
    """``--impl`` names nothing usable; the message says why and lists the choices."""


#: Built-in implementations served by a driver process in another language (specs/wire.md).
DRIVERS = {"langchain_js": "conformance.adapters.langchain_js",
           "langgraph_js": "conformance.adapters.langgraph_js"}


def choices() -> list[str]:
    names = set(BUILTIN) | set(DRIVERS)
    names.update(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
    return sorted(names)


def _valid() -> str:
    return (
        f"valid choices: {', '.join(choices())}, or an importable module exposing a "
        f"module-level `{ADAPTER_ATTRIBUTE}` (spelled `pkg.module` or `pkg.module:attribute`)"
    )


def _import(module_name: str) -> Any:
    """Import ``module_name``; like ``python -m``, a module in the current directory counts
    (so ``runcert-record --impl its_adapter`` finds ``./its_adapter.py``)."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        top = module_name.split(".")[0]
        here = os.getcwd()
        if exc.name != top or here in sys.path or "" in sys.path:
            raise
        sys.path.append(here)
        return importlib.import_module(module_name)


def _from_module(spec: str, origin: str) -> Any:
    module_name, _, attribute = spec.partition(":")
    try:
        module = _import(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing == module_name or module_name.startswith(missing + "."):
            raise ResolutionError(f"--impl={origin}: unknown implementation; {_valid()}") from None
        raise ResolutionError(
            f"--impl={origin}: importing {module_name} failed: missing module {exc.name!r}"
        ) from None
    except AdapterError as exc:  # e.g. a built-in adapter refusing an unsupported version
        raise ResolutionError(f"--impl={origin}: {exc}") from None
    except (Exception, SystemExit, KeyboardInterrupt, GeneratorExit) as exc:
        # the user's module is broken (or exits, or interrupts itself): say so in one line
        raise ResolutionError(
            f"--impl={origin}: importing {module_name} raised {type(exc).__name__}"
            + (f": {exc}" if str(exc) else "")
        ) from None
    name = attribute or ADAPTER_ATTRIBUTE
    if not hasattr(module, name):
        raise ResolutionError(
            f"--impl={origin}: module {module_name} has no module-level `{name}` adapter; "
            f"{_valid()}"
        )
    return getattr(module, name)


def resolve(name: str) -> Adapter:
    if not name or not name.strip():
        raise ResolutionError(f"--impl needs a name; {_valid()}")
    if name.startswith("wire:"):  # a driver process over the wire protocol (specs/wire.md)
        obj = _over_the_wire(name)
    elif name in DRIVERS:
        obj = _node_driver(name)
    elif name in BUILTIN:
        try:
            obj = _from_module(BUILTIN[name], name)
        except ResolutionError as exc:
            extra = EXTRAS.get(name)
            hint = (f" (the optional extra installs a supported release: pip install "
                    f"'runcert[{extra}]')") if extra else ""
            raise ResolutionError(f"{exc}{hint}") from None
    else:
        found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
        if found:
            try:
                obj = found[0].load()
            except (Exception, SystemExit, KeyboardInterrupt, GeneratorExit) as exc:
                raise ResolutionError(
                    f"--impl={name}: loading entry point {found[0].value} raised "
                    f"{type(exc).__name__}: {exc}"
                ) from None
            if callable(obj) and not isinstance(obj, Adapter):
                try:
                    obj = obj()
                except (Exception, SystemExit, KeyboardInterrupt, GeneratorExit) as exc:
                    raise ResolutionError(
                        f"--impl={name}: the factory of entry point {found[0].value} raised "
                        f"{type(exc).__name__}: {exc}"
                    ) from None
        else:
            obj = _from_module(name, name)
    try:
        return validate_adapter(obj, f"--impl={name}")
    except AdapterError as exc:
        raise ResolutionError(str(exc)) from None


def _node_driver(name: str) -> Adapter:
    from conformance.checks import ImplementationLost

    try:
        return importlib.import_module(DRIVERS[name]).adapter()  # type: ignore[no-any-return]
    except AdapterError as exc:
        raise ResolutionError(str(exc)) from None
    except (ValueError, ImplementationLost) as exc:
        raise ResolutionError(f"--impl={name}: {exc}") from None


def _over_the_wire(name: str) -> Adapter:
    from conformance.adapters.wire import wire_adapter
    from conformance.checks import ImplementationLost

    try:
        return wire_adapter(name)
    except (ValueError, ImplementationLost) as exc:
        raise ResolutionError(f"--impl={name}: {exc}") from None

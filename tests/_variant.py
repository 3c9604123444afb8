"""Build deliberately broken variants of the reference callback managers.

Each broken module takes a *private copy* of ``reference.callbacks`` (the same source
files loaded under another package name), replaces one function or method in that copy
and exposes an adapter over it. The real ``reference.callbacks`` is never touched, so
the reference and any number of variants can live in one process.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import reference.arguments
import reference.callbacks

from conformance.adapter import CB_ASYNC, CB_SYNC, CB_TRACE_GROUP, CB_VERBOSE, Adapter
from conformance.adapters.reference import callback_factories

REFERENCE_DIR = Path(reference.callbacks.__file__).resolve().parent
ALL_CAPABILITIES = frozenset({CB_SYNC, CB_ASYNC, CB_TRACE_GROUP, CB_VERBOSE})


def private_reference(tag: str) -> ModuleType:
    """A fresh copy of the reference package, importable as ``_runcert_variant_<tag>``."""
    name = f"_runcert_variant_{tag}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, REFERENCE_DIR / "__init__.py", submodule_search_locations=[str(REFERENCE_DIR)])
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


def submodules(package: ModuleType) -> list[ModuleType]:
    prefix = package.__name__ + "."
    return [m for n, m in list(sys.modules.items()) if n.startswith(prefix)] + [package]


def replace_function(package: ModuleType, name: str, new: Any) -> Any:
    """Rebind module-level ``name`` everywhere in the copy; return the original."""
    owners = [m for m in submodules(package) if name in vars(m)]
    if not owners:
        raise LookupError(f"no module of {package.__name__} defines {name}")
    original = vars(owners[0])[name]
    for module in owners:
        if vars(module)[name] is original:
            setattr(module, name, new)
    return original


def lenient_ids(package: ModuleType) -> None:
    """Let the copy take any value as a run id where the reference checks for a UUID.

    For a variant whose bug makes its run ids something else: an implementation with
    such ids takes them back (the kit dispatches a run's custom events with the run's
    own id), so its argument checks must not be what fails. The copy's modules share
    ``reference.arguments``; each gets a lenient copy of it instead.
    """
    lenient = ModuleType(f"{package.__name__}_arguments")
    vars(lenient).update(vars(reference.arguments))
    lenient.uuid = lambda name, value: value  # type: ignore[attr-defined]
    lenient.optional_uuid = lambda name, value: value  # type: ignore[attr-defined]
    for module in submodules(package):
        if vars(module).get("arguments") is reference.arguments:
            module.arguments = lenient  # type: ignore[attr-defined]


def adapter(package: ModuleType, name: str, description: str,
            capabilities: frozenset[str] = ALL_CAPABILITIES,
            deviations: dict[str, str] | None = None) -> Adapter:
    """An adapter over the (broken) copy ``package``."""
    return Adapter(
        name=name,
        version="0+broken",
        description=description,
        capabilities=capabilities,
        deviations=deviations or {},
        callbacks=callback_factories(package),
    )


ConfigureArgs = dict[str, Any]


def after_configure(package: ModuleType, adjust: Any) -> None:
    """Make the copy's ``configure`` call ``adjust(manager, args)`` on every result.

    ``args`` holds the keyword arguments ``configure`` was called with (by name), so a
    variant breaks one thing about the configured manager without restating configure.
    """
    base = package.managers.BaseCallbackManager
    original = base.configure.__func__

    def configure(cls: type, inheritable_callbacks: Any = None, local_callbacks: Any = None,
                  verbose: bool = False, inheritable_tags: Any = None, local_tags: Any = None,
                  inheritable_metadata: Any = None, local_metadata: Any = None) -> Any:
        args: ConfigureArgs = dict(
            inheritable_callbacks=inheritable_callbacks, local_callbacks=local_callbacks,
            verbose=verbose, inheritable_tags=inheritable_tags, local_tags=local_tags,
            inheritable_metadata=inheritable_metadata, local_metadata=local_metadata)
        manager = original(cls, **args)
        adjust(manager, args)
        return manager

    base.configure = classmethod(configure)


def given_handlers(package: ModuleType, callbacks: Any) -> list[Any]:
    """The handlers a ``configure`` argument names (a list or a manager)."""
    base = package.managers.BaseCallbackManager
    return list(callbacks.handlers) if isinstance(callbacks, base) else list(callbacks or [])

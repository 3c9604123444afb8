"""The adapter the kit certifies over the wire: ordinary factories backed by a driver.

``wire_adapter("wire:reference")`` starts the driver, reads its hello and returns an
:class:`~conformance.adapter.Adapter` whose factories are proxies (``specs/wire.md``,
"The adapter over the wire"), so every suite runs unchanged.

Spellings of ``--impl`` (``specs/wire.md``, "Drivers"):

- ``wire:reference``: runcert's reference, served by the Python driver in a subprocess;
- ``wire:python:<impl>``: any Python implementation ``--impl=<impl>`` names (a built-in
  adapter, a module, ``module:attribute``), served by the same driver: the broken
  variants of ``tests/broken*`` are certified over the wire this way;
- ``wire:<command line>``: any driver program (``wire:node path/to/driver.mjs``).

``RUNCERT_WIRE_TIMEOUT`` (seconds, default 60) bounds how long the kit waits for a driver
that sends nothing while a sync request is in flight.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from conformance.adapter import (
    Adapter,
    CallbackFactories,
    Deviation,
    ProjectionSpec,
    StreamFactories,
)
from conformance.adapters.wire.process import WireDriver
from conformance.adapters.wire.protocol import RootRef

PREFIX = "wire:"
PYTHON_DRIVER = "conformance.drivers.python_reference"
DEFAULT_SILENCE = 60.0
_drivers: dict[str, WireDriver] = {}


class RootFunction:
    """A factory function of the driver (a trace group, ``open_run`` ...), resolved by
    name in whichever process of the driver is current, so it survives restarts."""

    def __init__(self, driver: WireDriver, name: str,
                 convert: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None) -> None:
        self.driver = driver
        self.name = name
        self.convert = convert
        self.__name__ = name.rpartition(".")[2]
        self.__qualname__ = self.__name__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.convert is not None:
            args = self.convert(args)
        return self.driver.generation().request(RootRef(self.name), "$call", args, kwargs,
                                                f"{self.name}()")

    def __repr__(self) -> str:
        return f"<{self.name} of driver {self.driver.label}>"


def command_for(spec: str) -> tuple[str, list[str]]:
    """The label and the command line of a ``wire:`` spelling."""
    rest = spec[len(PREFIX):].strip()
    if not rest:
        raise ValueError("wire: needs a driver (wire:reference, wire:python:<impl> or "
                         "wire:<command line>)")
    if rest == "reference":
        return "reference", [sys.executable, "-m", PYTHON_DRIVER]
    if rest.startswith("python:"):
        impl = rest[len("python:"):]
        return f"python:{impl}", [sys.executable, "-m", PYTHON_DRIVER, "--impl", impl]
    return rest, shlex.split(rest)


def driver_for(spec: str, *, label: str | None = None,
               command: Sequence[str] | None = None, cwd: str | None = None) -> WireDriver:
    """The (one) driver of a spelling, started on first use."""
    if spec not in _drivers:
        default_label, default_command = command_for(spec) if command is None else (spec, [])
        silence = float(os.environ.get("RUNCERT_WIRE_TIMEOUT", DEFAULT_SILENCE))
        _drivers[spec] = WireDriver(label or default_label, command or default_command,
                                    cwd=cwd or os.getcwd(), silence=silence)
    return _drivers[spec]


def _projection_records(args: tuple[Any, ...]) -> tuple[Any, ...]:
    source, projections = args
    records = []
    for spec in projections:
        record = asdict(spec) if isinstance(spec, ProjectionSpec) else dict(spec)
        if record.get("namespace") is not None:
            record["namespace"] = list(record["namespace"])
        records.append(record)
    return source, records


def _nested_args(args: tuple[Any, ...]) -> tuple[Any, ...]:
    run, path = args
    return run, list(path)


def adapter_for(driver: WireDriver, *, name: str | None = None,
                description: str | None = None) -> Adapter:
    """The adapter over ``driver`` (started now: its hello says what it is)."""
    generation = driver.generation()
    hello = driver.hello
    assert hello is not None
    roots: dict[str, Any] = generation.roots  # type: ignore[attr-defined]

    def root_function(root: str, convert: Any = None) -> Any:
        return RootFunction(driver, root, convert) if root in roots else None

    callbacks = None
    if any(c.startswith("callbacks.") for c in hello.capabilities):
        callbacks = CallbackFactories(
            callback_manager=roots.get("callbacks.callback_manager"),
            async_callback_manager=roots.get("callbacks.async_callback_manager"),
            base_handler=roots.get("callbacks.base_handler"),
            async_handler=roots.get("callbacks.async_handler"),
            stdout_handler=roots.get("callbacks.stdout_handler"),
            trace_as_chain_group=root_function("callbacks.trace_as_chain_group"),
            atrace_as_chain_group=root_function("callbacks.atrace_as_chain_group"),
        )
    streams = None
    if "streams.open_run" in roots:
        streams = StreamFactories(
            open_run=RootFunction(driver, "streams.open_run", _projection_records),
            tee=root_function("streams.tee"),
            open_sync_run=root_function("streams.open_sync_run", _projection_records),
            nested=root_function("streams.nested", _nested_args),
        )
    deviations: dict[str, Any] = {}
    for rule, value in hello.deviations.items():
        if isinstance(value, str):
            deviations[rule] = value
        else:
            deviations[rule] = [Deviation(d["reason"], d.get("versions", "")) for d in value]
    return Adapter(
        name=name or f"{PREFIX}{hello.name}",
        version=hello.version,
        capabilities=frozenset(hello.capabilities),
        deviations=deviations,
        callbacks=callbacks,
        streams=streams,
        description=description or (
            f"{hello.description or hello.name}, over {hello.protocol} (driver "
            f"{driver.label})"),
        supported=hello.supported,
    )


def wire_adapter(spec: str) -> Adapter:
    """The adapter of a ``wire:`` spelling of ``--impl``."""
    return adapter_for(driver_for(spec))

"""Names shared by both sides of the wire protocol (``specs/wire.md``)."""

from __future__ import annotations

from conformance.checks import ImplementationLost

#: The protocol version this kit speaks; a driver's hello must name it.
PROTOCOL = "runcert-wire/1"

#: The roots a driver may offer: the factories of ``conformance.adapter``, by field.
CALLBACK_ROOTS = ("callback_manager", "async_callback_manager", "base_handler",
                  "async_handler", "stdout_handler", "trace_as_chain_group",
                  "atrace_as_chain_group")
STREAM_ROOTS = ("open_run", "tee", "open_sync_run", "nested")


class HelloError(ImplementationLost):
    """A driver that did not start, or whose hello is not the protocol's."""


class RootRef:
    """A root of the driver, by name: encoded as ``{"$root": name}``."""

    def __init__(self, name: str) -> None:
        self.name = name

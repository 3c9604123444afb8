"""Certifying an implementation in any language: the runcert wire protocol, kit side.

A *driver* is a program that speaks ``runcert-wire/1`` (``specs/wire.md``) on its stdin
and stdout; the kit starts it, says hello and drives it through proxies that present the
ordinary adapter contract, so every suite runs unchanged. The package holds:

- :mod:`.codec`: values on the wire (JSON, references with identity, mirrored containers);
- :mod:`.endpoint`: the request engine both sides run (threads, loops, re-entrancy);
- :mod:`.proxies`: the kit's stand-ins for the driver's objects and handler classes;
- :mod:`.process`: starting, supervising and restarting a driver process;
- :mod:`.kit`: the adapter built from a driver's hello (``--impl=wire:...``);
- :mod:`.serve`: the driver side for Python implementations (any runcert adapter).

Nothing here imports an implementation: the driver does.
"""

from conformance.adapters.wire.kit import PREFIX, adapter_for, driver_for, wire_adapter

__all__ = ["PREFIX", "adapter_for", "driver_for", "wire_adapter"]

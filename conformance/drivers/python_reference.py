"""A driver serving runcert's reference (or any Python implementation) over the wire.

    python -m conformance.drivers.python_reference                 # the reference
    python -m conformance.drivers.python_reference --impl NAME     # any --impl spelling

It resolves ``NAME`` as ``pytest --impl=NAME`` would (built-in adapters, entry points,
importable modules; the current directory counts), then speaks ``runcert-wire/1`` on
stdin/stdout until the kit says bye. The kit starts it for ``--impl=wire:reference`` and
``--impl=wire:python:NAME``.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.drivers.python_reference")
    parser.add_argument("--impl", default="reference",
                        help="the implementation to serve, spelled as for pytest --impl")
    options = parser.parse_args(argv)
    if os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())  # like python -m: a module here counts
    from conformance.adapters.wire.serve import serve
    from conformance.resolve import ResolutionError, resolve

    try:
        adapter = resolve(options.impl)
    except ResolutionError as exc:
        sys.stderr.write(f"runcert driver: {exc}\n")
        return 2
    profile = os.environ.get("RUNCERT_WIRE_DRIVER_PROFILE")
    if not profile:
        return serve(adapter)
    import cProfile  # a measurement aid: where the driver spends its time, every thread

    profilers: list[cProfile.Profile] = []
    original_run = threading.Thread.run

    def profiled_run(self: threading.Thread) -> None:
        profiler = cProfile.Profile()
        profilers.append(profiler)
        profiler.runcall(original_run, self)

    threading.Thread.run = profiled_run  # type: ignore[method-assign]
    import pstats

    def dump() -> None:
        stats = None
        for profiler in profilers:
            profiler.disable()
            profiler.create_stats()
            if stats is None:
                stats = pstats.Stats(profiler)
            else:
                stats.add(profiler)
        if stats is not None:
            stats.dump_stats(profile)

    from conformance.adapters.wire import serve as serving

    serving.BEFORE_EXIT.append(dump)
    return serve(adapter)


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)

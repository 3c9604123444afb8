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
    return serve(adapter)


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)

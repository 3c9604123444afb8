"""``python -m benchmarks.wire [--events N] [--repeats R]``: what a call over the wire costs.

One async run, ``N`` ``on_text`` events to one counting handler of the implementation's
own base class, through the same public manager API: runcert's reference in process,
the same reference served by the Python driver (``--impl=wire:reference``), and
@langchain/core served by the Node driver (``--impl=langchain_js``, when node and the
driver's packages are installed). Over the wire each event is a request to the driver
and a handler call back to the kit: two round trips. Nothing is asserted about time;
the only check is that the handler saw every event.
"""

from __future__ import annotations

import argparse
import sys

from conformance.resolve import resolve

from .callbacks import async_many_handlers
from .timing import fmt_time, interleave

SUBJECTS = {"reference (in process)": "reference", "wire:reference (Python driver)":
            "wire:reference", "langchain_js (Node driver)": "langchain_js"}


def _available() -> dict[str, object]:
    """The subjects that resolve here (langchain_js needs node and its packages)."""
    found = {}
    for label, impl in SUBJECTS.items():
        try:
            found[label] = resolve(impl)
        except Exception as exc:  # noqa: BLE001 - a missing driver is reported, not fatal
            print(f"skipping {label}: {exc}", file=sys.stderr)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args(argv)
    adapters = _available()
    cases = {label: async_many_handlers(a.callbacks, 1, options.events)  # type: ignore[attr-defined]
             for label, a in adapters.items()}
    stats = interleave(cases, dict.fromkeys(cases, options.events), options.repeats)
    base = stats["reference (in process)"].median
    print(f"| subject | per event, median (min) of {options.repeats} | ÷ in process |")
    print("| --- | --- | --- |")
    for label, s in stats.items():
        print(f"| {label} | {fmt_time(s.median)} ({fmt_time(s.minimum)}) | "
              f"{s.median / base:.0f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

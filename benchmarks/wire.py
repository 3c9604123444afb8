"""``python -m benchmarks.wire [--events N] [--repeats R]``: what a call over the wire costs.

Callbacks: one async run, ``N`` ``on_text`` events to one counting handler of the
implementation's own base class, through the same public manager API: runcert's reference
in process, the same reference served by the Python driver (``--impl=wire:reference``), and
@langchain/core served by the Node driver (``--impl=langchain_js``). Over the wire each event
is a request to the driver and a handler call back to the kit: two round trips.

Run streams: one run over a source of ``N`` values events, its ``values`` projection read
to the end by one consumer: the reference in process, over the Python driver, and
@langchain/langgraph's run stream over the Node driver (``--impl=langgraph_js``). Over the
wire each item is a pull of the kit's source by the driver and a read of the cursor by the
kit.

A subject whose driver is not installed (no node, or no packages) is skipped with the
reason. Nothing is asserted about time; the only checks are that every event was seen.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from conformance.resolve import resolve

from .callbacks import async_many_handlers
from .streams import one_projection, timed_shape
from .timing import Case, fmt_time, interleave

IN_PROCESS = "reference (in process)"
CALLBACKS = {IN_PROCESS: "reference", "wire:reference (Python driver)": "wire:reference",
             "langchain_js (Node driver)": "langchain_js"}
STREAMS = {IN_PROCESS: "reference", "wire:reference (Python driver)": "wire:reference",
           "langgraph_js (Node driver)": "langgraph_js"}


def _available(subjects: dict[str, str]) -> dict[str, Any]:
    """The subjects that resolve here (the Node drivers need node and their packages)."""
    found = {}
    for label, impl in subjects.items():
        try:
            found[label] = resolve(impl)
        except Exception as exc:  # noqa: BLE001 - a missing driver is reported, not fatal
            print(f"skipping {label}: {exc}", file=sys.stderr)
    return found


def _table(title: str, cases: dict[str, Case], units: int, repeats: int) -> None:
    stats = interleave(cases, dict.fromkeys(cases, units), repeats)
    base = stats[IN_PROCESS].median
    print(f"\n{title}\n")
    print(f"| subject | per item, median (min) of {repeats} | ÷ in process |")
    print("| --- | --- | --- |")
    for label, s in stats.items():
        print(f"| {label} | {fmt_time(s.median)} ({fmt_time(s.minimum)}) | "
              f"{s.median / base:.0f}× |")


def _stream_case(adapter: Any, events: int) -> Case:
    shape: Callable[[], Any] = lambda: one_projection(adapter.streams, events)  # noqa: E731
    return timed_shape(shape, events)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args(argv)
    callbacks = {label: async_many_handlers(a.callbacks, 1, options.events)
                 for label, a in _available(CALLBACKS).items()}
    _table(f"Callbacks: {options.events} on_text events to one async handler", callbacks,
           options.events, options.repeats)
    streams = {label: _stream_case(a, options.events)
               for label, a in _available(STREAMS).items()}
    _table(f"Run streams: {options.events} values items read by one consumer", streams,
           options.events, options.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())

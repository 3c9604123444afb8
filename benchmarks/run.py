"""``python -m benchmarks [--quick] [--update benchmarks/RESULTS.md]`` from the repo root.

Reference and real libraries run in the same process, interleaved round by round;
each figure is the median (and the minimum) over the repeats. Nothing here is asserted
about time: the only checks are that every benchmark delivered every event.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from . import callbacks, memory, scale, streams
from .report import environment, replace_section, table
from .timing import fmt_bytes, fmt_time

# Environment switches that would make langchain_core trace to a server: off for a fair race.
_TRACING_VARS = ("LANGCHAIN_TRACING_V2", "LANGCHAIN_TRACING", "LANGSMITH_TRACING")


def _adapters() -> tuple[object, object, object]:
    for name in _TRACING_VARS:
        os.environ.pop(name, None)
    from conformance.adapters import langchain_core, langgraph, reference
    return reference.runcert_adapter, langchain_core.runcert_adapter, langgraph.runcert_adapter


def _stat(s: object) -> str:
    return f"{fmt_time(s.median)} ({fmt_time(s.minimum)})"  # type: ignore[attr-defined]


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def callback_section(ref, real, quick: bool, repeats: int) -> str:
    rows = callbacks.run(ref.callbacks, real.callbacks, quick=quick, repeats=repeats)
    body = [[r.label, _stat(r.reference), _stat(r.real), f"{r.speedup:.2f}×",
             f"{r.baseline_name} {_stat(r.baseline)}", f"{r.over_baseline:.1f}×",
             _verdict(r.speedup >= 5), _verdict(r.over_baseline <= 3)] for r in rows]
    header = ["scenario", "reference / dispatch", "langchain_core / dispatch",
              "langchain_core ÷ reference", "baseline / call", "reference ÷ baseline",
              "≥5× faster", "≤3× baseline"]
    floor_rows = [[lane, _stat(bare), _stat(floor), f"{floor.median / bare.median:.1f}×"]
                  for lane, (floor, bare) in callbacks.floors(quick, repeats).items()]
    floor_header = ["lane", "bare call / await", "floor: event method + handler call",
                    "floor ÷ bare"]
    return ("### Callback dispatch\n\nTime per dispatch (one event delivered to one "
            f"handler), median (min) of {repeats} runs.\n\n" + table(header, body)
            + "\n\nThe floor: the least any run manager can do per event, one frame for its "
            "event method and then the handler call with the run's identity and a private "
            "copy of the tags (no flags, no error handling: a bound, not an "
            "implementation), against the bare call of the table above.\n\n"
            + table(floor_header, floor_rows))


def stream_section(ref, graph, n: int, repeats: int) -> str:
    rows = streams.run(ref.streams, graph.streams, n=n, repeats=repeats)
    body = [[r.label, _stat(r.reference), _stat(r.real), f"{r.speedup:.2f}×",
             _stat(r.baseline), f"{r.over_baseline:.1f}×", _verdict(r.speedup >= 5),
             _verdict(r.over_baseline <= 5)] for r in rows]
    header = ["shape", "reference / event", "langgraph / event", "langgraph ÷ reference",
              "bare async generator / event", "reference ÷ bare", "≥5× faster", "≤5× bare"]
    low, bare = streams.floor(n, repeats)
    floor_table = table(["bare async generator / event", "floor: caller-driven pull into a buffer",
                         "floor ÷ bare"],
                        [[_stat(bare), _stat(low), f"{low.median / bare.median:.1f}×"]])
    return (f"### Run-stream pump\n\n{n} `values` events from one scripted source; time per "
            f"source event, median (min) of {repeats} runs.\n\n" + table(header, body)
            + "\n\nThe floor: the least a caller-driven run stream can do per event for one "
            "reader, pulling the source when its buffer is empty and buffering the protocol "
            "event with its sequence number (no single flight, no cancellation safety, no "
            "routing: a bound, not an implementation), against the bare generator.\n\n"
            + floor_table)


def _memory_rows(ref, graph, sizes: list[int], lg_cap: int,
                 big: int) -> tuple[list[list[str]], dict[str, float]]:
    """The table rows, and langgraph's bytes per event at its largest traced size."""
    rows, slope = [], {}
    for label, shape in (("slow reader", memory.slow_projection),
                         ("unread", memory.unread_projection)):
        for name, f in (("reference", ref.streams), ("langgraph", graph.streams)):
            for n in sizes + [big]:
                if name == "langgraph" and n > lg_cap:
                    rows.append([label, name, f"{n:,}", "not run (see below)", "", "", "", ""])
                    continue
                traced = n < big or shape is memory.unread_projection
                s = memory.measure(shape, f, n, traced=traced)
                if name == "langgraph":
                    slope[label] = s.peak / n
                rows.append([label, name, f"{n:,}", f"{s.events:,}", f"{s.seconds:.1f} s",
                             fmt_bytes(s.peak) if traced else "not traced",
                             fmt_bytes(s.rss_growth), f"{s.max_buffered:,}"])
    return rows, slope


def memory_section(ref, graph, sizes: list[int], lg_cap: int, big: int) -> str:
    header = ["projection `lag` (maxlen 100)", "library", "source events",
              "main-log events delivered", "wall time", "tracemalloc peak", "RSS growth",
              "most items buffered in `lag`"]
    body, slope = _memory_rows(ref, graph, sizes, lg_cap, big)
    extrapolated = "; ".join(
        f"{label}: {per:.0f} B/event at {lg_cap:,}, so about {fmt_bytes(per * big)} at {big:,}"
        for label, per in slope.items())
    return ("### Memory: a subscribed projection read slowly, or never\n\n"
            "The main log is drained by one task while projection `lag` (maxlen=100, which "
            f"langgraph accepts and ignores) is read by a second task that yields "
            f"{memory.LAG_STEPS} loop steps per item (*slow reader*) or is subscribed and "
            "never read (*unread*). The slow-reader run at the largest size is the scale "
            "run of one stream with a slow consumer; it is not traced (tracemalloc makes it "
            "several times slower): the resident-set growth, sampled every "
            f"{memory.RSS_EVERY} items, and the buffer high-water mark stand in. "
            "An unread projection holds the reference's pump back once it is full "
            "(backpressure, RS-BP-2): the main log stops after maxlen + 1 events until "
            "`lag` is read or the run aborted (detected as 1000 loop steps without progress)."
            f" langgraph is not run at {big:,} (about a minute traced); its buffer grows "
            f"linearly, extrapolated from the largest run: {extrapolated}.\n\n"
            + table(header, body))


def scale_section(ref, real, requests: int) -> str:
    body = []
    for name, f in (("reference", ref.callbacks), ("langchain_core", real.callbacks)):
        r = scale.run(f, requests)
        body.append([name, f"{r.requests:,}", f"{r.seconds:.2f} s",
                     fmt_time(r.seconds / (r.requests * scale.EVENTS_PER_REQUEST)),
                     fmt_bytes(r.peak), str(r.foreign_events), str(r.incomplete_requests)])
    header = ["library", "concurrent requests", "wall time", "per event",
              "tracemalloc peak", "crossed events", "requests missing events"]
    return ("### Scale: concurrent requests with request-scoped handlers\n\n"
            f"{requests:,} requests started together (`asyncio.gather`) on the async "
            "manager, each with its own async handler: a chain run, a child chain run and "
            f"{scale.TEXTS} `on_text` events, with a loop step between events "
            f"({scale.EVENTS_PER_REQUEST} events per request). A crossed event is one a "
            "handler received whose payload or run id belongs to another request. The peak "
            "is measured in a second, traced run.\n\n" + table(header, body))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: seconds, not minutes")
    parser.add_argument("--repeats", type=int, default=None, help="runs per timed case")
    parser.add_argument("--update", type=Path, default=None,
                        help="write the tables into this markdown file (between markers)")
    args = parser.parse_args(argv)
    quick = args.quick
    repeats = args.repeats or (2 if quick else 5)
    ref, real, graph = _adapters()
    started = time.perf_counter()
    sections = [
        callback_section(ref, real, quick, repeats),
        stream_section(ref, graph, 500 if quick else 20_000, repeats),
        memory_section(ref, graph, [300, 1_000] if quick else [10_000, 100_000],
                       lg_cap=1_000 if quick else 100_000, big=3_000 if quick else 1_000_000),
        scale_section(ref, real, 100 if quick else 10_000),
    ]
    took = time.perf_counter() - started
    command = "python -m benchmarks" + (" --quick" if quick else "")
    text = (f"{environment()}\n\nCommand: `{command}` (from the repository root); the whole "
            f"run took {took:.0f} s.\n\n" + "\n\n".join(sections))
    print(text)
    if args.update is not None:
        replace_section(args.update, "benchmarks", text)
    return 0


if __name__ == "__main__":  # python benchmarks/run.py is not supported: use -m
    sys.exit("run as: python -m benchmarks")

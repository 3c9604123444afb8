"""Hypothesis strategies for scenario programs (see :mod:`conformance.callbacks.programs`).

``programs(...)`` draws a program: a pool of handlers (sync or async, optionally inline,
optionally ignoring event families), one or more requests each with its own request
handlers, tags and metadata, and a random call tree per request (depth <= 4, fan-out
<= 3) whose components carry constructor handlers, tags and metadata (keys that
conflict with the request's on purpose) and whose sub-calls carry get_child tags.

Tag namespaces keep the origin of a tag visible in a shrunk example: ``req:*`` request
tags, ``own:*`` constructor tags, ``step:*`` get_child tags.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from conformance.callbacks.programs import KINDS, MODEL_KINDS, PARENT_KINDS

MAX_DEPTH = 4
MAX_FANOUT = 3
IGNORABLE = ("chain", "agent", "retriever", "llm", "chat_model", "retry", "custom_event")
META_KEYS = ("user", "topic", "level")

request_tags = st.lists(st.sampled_from(["req:a", "req:b", "req:c"]), max_size=2, unique=True)
own_tags = st.lists(st.sampled_from(["own:x", "own:y"]), max_size=2, unique=True)
step_tags = st.one_of(st.none(), st.sampled_from(["step:1", "step:2", "step:3"]))


def metadata(source: str) -> st.SearchStrategy[dict[str, str]]:
    """Metadata over a small key set, so requests and components conflict often."""
    return st.dictionaries(st.sampled_from(META_KEYS),
                           st.sampled_from([f"{source}-1", f"{source}-2"]), max_size=2)


#: No flag, one flag, or both model flags (each family equally likely).
ignore_sets = st.sampled_from([[], *([flag] for flag in IGNORABLE), ["llm", "chat_model"]])


def handler_specs(*, inline: bool, ignore: bool) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({
        "async": st.booleans(),
        **({"run_inline": st.booleans()} if inline else {}),
        **({"ignore": ignore_sets} if ignore else {}),
    })


def leaf_steps(kind: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Steps of a run that makes no sub-call."""
    options = [st.builds(lambda t: {"text": t}, st.sampled_from(["thought", "note"])),
               st.builds(lambda n: {"retry": n}, st.integers(1, 3))]
    if kind in MODEL_KINDS:
        options.append(st.builds(lambda t: {"token": t}, st.sampled_from(["Hel", "lo"])))
    else:
        options.append(st.builds(lambda n: {"custom": {"name": "progress", "data": {"n": n}}},
                                 st.integers(0, 2)))
    return st.lists(st.one_of(options), max_size=2)


@st.composite
def nodes(draw: Any, pool: list[str], depth: int = 0, errors: bool = False) -> dict[str, Any]:
    """One component and, for parent kinds above the depth limit, its sub-calls."""
    kind = draw(st.sampled_from(KINDS if depth < MAX_DEPTH else MODEL_KINDS + ("tool",)))
    node: dict[str, Any] = {"kind": kind, "name": kind}
    ctor = draw(st.lists(st.sampled_from(pool), max_size=2, unique=True)) if pool else []
    if ctor:
        node["handlers"] = ctor
    if tags := draw(own_tags):
        node["tags"] = tags
    if meta := draw(metadata("own")):
        node["metadata"] = meta
    steps = draw(leaf_steps(kind))
    if kind in PARENT_KINDS and depth < MAX_DEPTH:
        for _ in range(draw(st.integers(0, MAX_FANOUT))):
            child = draw(nodes(pool, depth + 1, errors))
            step: dict[str, Any] = {"call": child}
            if (tag := draw(step_tags)) is not None:
                step["tag"] = tag
            steps.insert(draw(st.integers(0, len(steps))), step)
    if errors and draw(st.integers(0, 3)) == 0:
        steps.append({"error": {"type": draw(st.sampled_from(["ValueError", "RuntimeError"])),
                                "message": f"{kind} failed"}})
        node["catch"] = draw(st.booleans())
    if steps:
        node["steps"] = steps
    return node


@st.composite
def programs(draw: Any, *, requests: int = 1, concurrent: bool = False, inline: bool = False,
             ignore: bool = False, errors: bool = False,
             duplicates: bool = False) -> dict[str, Any]:
    """A program with ``requests`` requests (run together when ``concurrent``).

    Each request has one own request handler ``req<i>`` (so isolation is observable)
    and may share pool handlers ``h0..h2`` as extra request or constructor handlers;
    with ``duplicates`` a request may list its own handler twice.
    """
    pool = [f"h{i}" for i in range(draw(st.integers(0, 3)))]
    specs = handler_specs(inline=inline, ignore=ignore)
    handlers = {label: draw(specs) for label in pool}
    reqs = []
    for index in range(1, requests + 1):
        own = f"req{index}"
        handlers[own] = draw(specs)
        shared = draw(st.lists(st.sampled_from(pool), max_size=1)) if pool else []
        root = draw(nodes(pool, 0, errors))
        if concurrent:
            steps = [{"rendezvous": True}, *_parent_steps(root)]
            root = {**root, "kind": "chain", "name": "chain", "steps": steps}
        twice = [own] if duplicates and draw(st.booleans()) else []
        request: dict[str, Any] = {"name": f"r{index}", "handlers": [own, *shared, *twice],
                                   "root": root}
        if tags := draw(request_tags):
            request["tags"] = tags
        if meta := draw(metadata("req")):
            request["metadata"] = meta
        reqs.append(request)
    return {"handlers": handlers, "requests": reqs, "concurrent": concurrent}


def _parent_steps(node: dict[str, Any]) -> list[dict[str, Any]]:
    """A root's steps, minus those only a model can take (it becomes a chain)."""
    return [s for s in node.get("steps", []) if "token" not in s]

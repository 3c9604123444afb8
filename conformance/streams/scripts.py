"""Scripts of run-stream events for the stream suites: fixed shapes, the routing model
and a Hypothesis strategy.

Every event of a script carries a distinct ``data`` (``{"step": k}`` for event ``k``), so
what a consumer receives can be compared with the model item by item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st

from conformance.adapter import ProjectionSpec
from conformance.streams.drive import SCRIPTED_METHODS, drain
from conformance.streams.source import ScriptEvent, event, values

ROOT: tuple[str, ...] = ()
SUB = ("sub:1",)
INNER = ("sub:1", "inner:2")  # nested twice
OTHER = ("other:3",)
NAMESPACES = (ROOT, SUB, INNER, OTHER)
METHODS = SCRIPTED_METHODS

#: Declared projections the suites use; their names differ from every scripted method
#: so that main-log entries an implementation adds for its own channels are told apart.
UPDATES = ProjectionSpec("node_updates", "updates")  # root updates
CUSTOM_ANY = ProjectionSpec("custom_any", "custom", None)  # custom events of any namespace
SUB_VALUES = ProjectionSpec("sub_values", "values", SUB)  # values of one nested namespace
ALL_VALUES = ProjectionSpec("all_values", "values", None)  # values of every namespace
HIDDEN = ProjectionSpec("hidden_updates", "updates", None, native=False)
#: The built-in projection, described like a declared one (for the model only).
VALUES = ProjectionSpec("values", "values", ROOT)


def step(k: int, method: str, ns: Sequence[str] = ROOT,
         interrupts: Sequence[Any] | None = None) -> ScriptEvent:
    """Event ``k`` of a script: ``data`` is ``{"step": k}``."""
    if method == "values":
        return values({"step": k}, ns, interrupts)
    return event(method, {"step": k}, ns)


def root_values(n: int) -> list[ScriptEvent]:
    """``n`` root ``values`` events."""
    return [step(k, "values") for k in range(n)]


def mixed() -> list[ScriptEvent]:
    """A script that mixes every method and namespace, with root and nested interrupts."""
    shape = [("values", ROOT, None), ("updates", ROOT, None), ("values", SUB, None),
             ("custom", INNER, None), ("values", ROOT, ["ask"]), ("updates", SUB, None),
             ("values", INNER, ["deep"]), ("custom", ROOT, None), ("updates", ROOT, None),
             ("values", ROOT, None)]
    return [step(k, m, ns, i) for k, (m, ns, i) in enumerate(shape)]


def routed(events: Sequence[ScriptEvent], spec: ProjectionSpec) -> list[Any]:
    """The model: the ``data`` a projection declared as ``spec`` receives, in order."""
    return [e["data"] for e in events
            if e["method"] == spec.method
            and (spec.namespace is None or e["namespace"] == list(spec.namespace))]


def as_source(entry: Mapping[str, Any]) -> ScriptEvent:
    """A main-log protocol event, back in the shape of the source event it stands for."""
    params = entry["params"]
    out: ScriptEvent = {"method": entry["method"], "namespace": list(params["namespace"]),
                        "data": params["data"]}
    if "interrupts" in params:
        out["interrupts"] = list(params["interrupts"])
    return out


def scripted_entries(log: Sequence[Mapping[str, Any]]) -> list[ScriptEvent]:
    """The main-log entries of scripted methods, as source events (entries an
    implementation adds for its own channels have other methods and are left out)."""
    return [as_source(e) for e in log if e.get("method") in METHODS]


@st.composite
def scripts(draw: st.DrawFn, max_size: int = 8) -> list[ScriptEvent]:
    """Random scripts: methods, namespaces (nested ones too) and interrupts on values."""
    events = []
    for k in range(draw(st.integers(0, max_size))):
        method = draw(st.sampled_from(METHODS))
        ns = draw(st.sampled_from(NAMESPACES))
        interrupts = None
        if method == "values" and draw(st.booleans()):
            interrupts = draw(st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=2))
        events.append(step(k, method, ns, interrupts))
    return events



async def abort_and_finish(run_stream: Any, *cursors: Any) -> None:
    """Abort the run and read every cursor a test left unfinished to its end.

    Cursors (and the cursors behind tee branches) may be async generators: one dropped
    while suspended is closed by a task the event loop creates, which the kit's leak
    check would blame on the run. Ending them the way a consumer does avoids that.
    """
    await run_stream.abort()
    for cursor in cursors:
        await drain(cursor)

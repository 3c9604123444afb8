"""The reference refuses bad arguments where they are given, and stays usable.

The reference is the model implementation: its public API (what the ``reference``
adapter hands the kit, and what that reaches) answers an ill-typed or out-of-range
argument with a ``TypeError`` or ``ValueError`` whose message names the argument, raised
before anything changed, so that a valid call right after it works as if the bad one
had never been made. Each :class:`Case` is one argument of one entry point; Hypothesis
draws the bad values (fixed examples: ``derandomize``), and ``test_reported_cases``
replays the mistakes that once failed elsewhere or passed silently.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference.callbacks as cb
import reference.streams as rs

# -- values --------------------------------------------------------------------------------

scalars = st.one_of(st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=6), st.binary(max_size=4), st.uuids().map(str),
                    st.builds(object), st.just(...))
anything = st.one_of(
    scalars, st.none(), st.uuids(),
    st.lists(scalars, max_size=3), st.tuples(scalars, scalars),
    st.sets(st.integers(), max_size=2), st.frozensets(st.text(max_size=2), max_size=2),
    st.dictionaries(st.text(max_size=3), scalars, max_size=2),
    st.dictionaries(st.integers(), scalars, min_size=1, max_size=2),
    st.lists(st.text(max_size=3), max_size=3).map(iter))


def _strs(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


def _handlers(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(
        isinstance(v, cb.BaseCallbackHandler) for v in value)


def _str_mapping(value: Any) -> bool:
    return isinstance(value, Mapping) and all(isinstance(k, str) for k in value)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _none_or(valid: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or valid(value)


def refused(valid: Callable[[Any], bool], *extra: st.SearchStrategy[Any]) -> Any:
    """Values that ``valid`` rejects: anything (plus ``extra`` shapes worth trying)."""
    return st.one_of(anything, *extra).filter(lambda value: not valid(value))


#: Lists that look right from afar: one item of the wrong type among good ones.
almost_strings = st.lists(st.one_of(st.text(max_size=3), scalars), min_size=1, max_size=4)

NOT_TEXT = refused(lambda v: isinstance(v, str))
NOT_OPTIONAL_TEXT = refused(_none_or(lambda v: isinstance(v, str)))
NOT_STRINGS = refused(_strs, almost_strings, st.text(min_size=1, max_size=6))
NOT_OPTIONAL_STRINGS = refused(_none_or(_strs), almost_strings, st.text(min_size=1, max_size=6))
NOT_HANDLERS = refused(_handlers, almost_strings)
NOT_OPTIONAL_HANDLERS = refused(_none_or(_handlers), almost_strings)
NOT_METADATA = refused(_str_mapping)
NOT_OPTIONAL_METADATA = refused(_none_or(_str_mapping))
NOT_OPTIONAL_UUID = refused(_none_or(lambda v: isinstance(v, uuid.UUID)))
NOT_UUID = refused(lambda v: isinstance(v, uuid.UUID))
NOT_HANDLER = refused(lambda v: isinstance(v, cb.BaseCallbackHandler))
NOT_MANAGER = refused(lambda v: isinstance(v, cb.BaseCallbackManager))
NOT_OPTIONAL_MANAGER = refused(_none_or(lambda v: isinstance(v, cb.BaseCallbackManager)))
NOT_CALLBACKS = refused(_none_or(lambda v: _handlers(v)
                                 or isinstance(v, cb.BaseCallbackManager)), almost_strings)
NOT_SERIALIZED = refused(_none_or(lambda v: isinstance(v, Mapping)))
NOT_MESSAGES = refused(lambda v: isinstance(v, (list, tuple))
                       and all(isinstance(m, list) for m in v),
                       st.lists(st.one_of(st.lists(scalars, max_size=2), scalars), min_size=1,
                                max_size=3))
NOT_MAXLEN = refused(_none_or(_positive_int), st.integers(max_value=0))
NOT_TEE_N = refused(_positive_int, st.integers(max_value=0), st.floats(0, 5))
NOT_BOOL = refused(lambda v: isinstance(v, bool))
NOT_PROJECTIONS = refused(lambda v: isinstance(v, (list, tuple))
                          and all(isinstance(p, rs.Projection) for p in v))
NOT_SOURCE_ASYNC = refused(_none_or(lambda v: hasattr(v, "__anext__")))
NOT_SOURCE_SYNC = refused(_none_or(lambda v: hasattr(v, "__next__")))


# -- what the cases are made of ---------------------------------------------------------------

class Recorder(cb.BaseCallbackHandler):
    """Records the name of every start and custom event it gets."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def on_chain_start(self, *args: Any, **kwargs: Any) -> None:
        self.events.append("on_chain_start")

    def on_tool_start(self, *args: Any, **kwargs: Any) -> None:
        self.events.append("on_tool_start")

    def on_retriever_start(self, *args: Any, **kwargs: Any) -> None:
        self.events.append("on_retriever_start")

    def on_llm_start(self, *args: Any, **kwargs: Any) -> None:
        self.events.append("on_llm_start")

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self.events.append("on_chat_model_start")

    def on_custom_event(self, *args: Any, **kwargs: Any) -> None:
        self.events.append("on_custom_event")


def settle(value: Any) -> Any:
    """What a call returned, awaited on a fresh loop if it is a coroutine."""
    if asyncio.iscoroutine(value):
        return asyncio.run(value)
    return value


FIELDS = ("handlers", "inheritable_handlers", "parent_run_id", "tags", "inheritable_tags",
          "metadata", "inheritable_metadata")


def fields(manager: Any) -> dict[str, Any]:
    return {name: getattr(manager, name) for name in FIELDS}


@dataclass
class Managed:
    """A manager with one recording handler, a tag and a metadata key, and its fields
    before the bad call."""

    lane: str
    recorder: Recorder = field(default_factory=Recorder)
    manager: Any = None
    before: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        cls = cb.CallbackManager if self.lane == "sync" else cb.AsyncCallbackManager
        self.manager = cls([self.recorder], [self.recorder], tags=["t"], metadata={"k": 1})
        self.before = fields(self.manager)

    def usable(self) -> None:
        """Nothing changed and nothing was delivered; a valid start reaches the handler."""
        assert fields(self.manager) == self.before
        assert self.recorder.events == []
        settle(self.manager.on_chain_start({"name": "after"}, {}))
        self.manager.add_tags(["later"])
        assert self.recorder.events == ["on_chain_start"]
        assert self.manager.tags == ["t", "later"]


def works_with(cls: Any) -> None:
    """The class still builds a manager that delivers a start."""
    recorder = Recorder()
    manager = cls([recorder], tags=["t"], metadata={"k": 1})
    settle(manager.on_chain_start({"name": "after"}, {}))
    assert recorder.events == ["on_chain_start"]


SER = {"name": "x"}
START_CALLS: dict[str, Callable[..., Any]] = {
    "chain": lambda m, **kw: m.on_chain_start(kw.pop("serialized", SER), {}, **kw),
    "tool": lambda m, **kw: m.on_tool_start(kw.pop("serialized", SER),
                                            kw.pop("input_str", "in"), **kw),
    "retriever": lambda m, **kw: m.on_retriever_start(kw.pop("serialized", SER),
                                                      kw.pop("query", "q"), **kw),
    "llm": lambda m, **kw: m.on_llm_start(kw.pop("serialized", SER),
                                          kw.pop("prompts", ["p"]), **kw),
    "chat_model": lambda m, **kw: m.on_chat_model_start(kw.pop("serialized", SER),
                                                        kw.pop("messages", [["m"]]), **kw),
    "custom": lambda m, **kw: m.on_custom_event(kw.pop("name", "ev"), {}, **kw),
}


async def _items(source: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in source]


def values_event(step: int, namespace: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"method": "values", "namespace": list(namespace), "data": {"step": step}}


async def _agen(events: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for event in events:
        yield event


def async_run_works(mux: rs.StreamMux | None = None) -> None:
    """A run over a fresh (or the given) mux reads a valid source to its end."""
    async def main() -> Any:
        run = rs.AsyncGraphRunStream(_agen([values_event(0), values_event(1)]),
                                     mux if mux is not None else rs.StreamMux())
        return await run.output()

    assert asyncio.run(main()) == {"step": 1}


def sync_run_works(mux: rs.SyncStreamMux | None = None) -> None:
    run = rs.GraphRunStream(iter([values_event(0), values_event(1)]),
                            mux if mux is not None else rs.SyncStreamMux())
    assert run.output == {"step": 1}


# -- the cases ------------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class Case:
    """``call(subject, value)`` gives one argument, named ``argument``, the value; the
    subject comes from ``subject()`` and ``usable(subject)`` checks it afterwards."""

    id: str
    argument: str
    values: Any
    call: Callable[[Any, Any], Any]
    subject: Callable[[], Any] = lambda: None
    usable: Callable[[Any], None] = lambda subject: None

    def __str__(self) -> str:
        return self.id

    __repr__ = __str__


def _manager_cases() -> list[Case]:
    cases = []
    for lane, cls in (("sync", cb.CallbackManager), ("async", cb.AsyncCallbackManager)):
        def build(lane: str = lane) -> Managed:
            return Managed(lane)

        def works(_: Any, cls: Any = cls) -> None:
            works_with(cls)

        for argument, values, call in [
            ("handlers", NOT_HANDLERS, lambda c, v: c(v)),
            ("inheritable_handlers", NOT_OPTIONAL_HANDLERS, lambda c, v: c([], v)),
            ("parent_run_id", NOT_OPTIONAL_UUID, lambda c, v: c([], parent_run_id=v)),
            ("tags", NOT_OPTIONAL_STRINGS, lambda c, v: c([], tags=v)),
            ("inheritable_tags", NOT_OPTIONAL_STRINGS, lambda c, v: c([], inheritable_tags=v)),
            ("metadata", NOT_OPTIONAL_METADATA, lambda c, v: c([], metadata=v)),
            ("inheritable_metadata", NOT_OPTIONAL_METADATA,
             lambda c, v: c([], inheritable_metadata=v)),
        ]:
            cases.append(Case(f"{cls.__name__}({argument})", argument, values,
                              lambda _, v, call=call, cls=cls: call(cls, v), usable=works))
        for argument, values, call in [
            ("inheritable_callbacks", NOT_CALLBACKS,
             lambda c, v: c.configure(inheritable_callbacks=v)),
            ("local_callbacks", NOT_CALLBACKS, lambda c, v: c.configure(local_callbacks=v)),
            ("inheritable_tags", NOT_OPTIONAL_STRINGS,
             lambda c, v: c.configure(inheritable_tags=v)),
            ("local_tags", NOT_OPTIONAL_STRINGS, lambda c, v: c.configure(local_tags=v)),
            ("inheritable_metadata", NOT_OPTIONAL_METADATA,
             lambda c, v: c.configure(inheritable_metadata=v)),
            ("local_metadata", NOT_OPTIONAL_METADATA,
             lambda c, v: c.configure(local_metadata=v)),
        ]:
            cases.append(Case(f"{cls.__name__}.configure({argument})", argument, values,
                              lambda _, v, call=call, cls=cls: call(cls, v), usable=works))
        for method, argument, values in [
            ("add_handler", "handler", NOT_HANDLER),
            ("remove_handler", "handler", NOT_HANDLER),
            ("set_handler", "handler", NOT_HANDLER),
            ("set_handlers", "handlers", NOT_HANDLERS),
            ("add_tags", "tags", NOT_STRINGS),
            ("remove_tags", "tags", NOT_STRINGS),
            ("add_metadata", "metadata", NOT_METADATA),
            ("remove_metadata", "keys", NOT_STRINGS),
            ("merge", "other", NOT_MANAGER),
        ]:
            cases.append(Case(f"{lane} manager.{method}({argument})", argument, values,
                              lambda s, v, method=method: getattr(s.manager, method)(v),
                              subject=build, usable=Managed.usable))
        for kind, start in START_CALLS.items():
            arguments = [("serialized", NOT_SERIALIZED), ("run_id", NOT_OPTIONAL_UUID)]
            if kind == "custom":
                arguments = [("name", NOT_TEXT), ("run_id", NOT_OPTIONAL_UUID)]
            arguments += {"chain": [("parent_run_id", NOT_OPTIONAL_UUID)],
                          "tool": [("input_str", NOT_TEXT), ("parent_run_id", NOT_OPTIONAL_UUID)],
                          "retriever": [("query", NOT_TEXT),
                                        ("parent_run_id", NOT_OPTIONAL_UUID)],
                          "llm": [("prompts", NOT_STRINGS)],
                          "chat_model": [("messages", NOT_MESSAGES)]}.get(kind, [])
            for argument, values in arguments:
                cases.append(Case(
                    f"{lane} {START_NAMES[kind]}({argument})", argument, values,
                    lambda s, v, start=start, argument=argument: settle(
                        start(s.manager, **{argument: v})),
                    subject=build, usable=Managed.usable))
    return cases


START_NAMES = {"chain": "on_chain_start", "tool": "on_tool_start",
               "retriever": "on_retriever_start", "llm": "on_llm_start",
               "chat_model": "on_chat_model_start", "custom": "on_custom_event"}


def _run_manager_cases() -> list[Case]:
    given = {"run_id": uuid.uuid4(), "handlers": [], "inheritable_handlers": []}
    cases = []
    for cls in (cb.CallbackManagerForChainRun, cb.AsyncCallbackManagerForLLMRun):
        for argument, values in [("run_id", NOT_UUID), ("handlers", NOT_HANDLERS),
                                 ("inheritable_handlers", NOT_HANDLERS),
                                 ("parent_run_id", NOT_OPTIONAL_UUID),
                                 ("tags", NOT_OPTIONAL_STRINGS),
                                 ("metadata", NOT_OPTIONAL_METADATA)]:
            cases.append(Case(f"{cls.__name__}({argument})", argument, values,
                              lambda _, v, cls=cls, argument=argument: cls(
                                  **{**given, argument: v}),
                              usable=lambda _, cls=cls: cls(**given)))

    def chain_run() -> Any:
        recorder = Recorder()
        return recorder, cb.CallbackManager([recorder], [recorder]).on_chain_start(SER, {})

    def child_usable(subject: Any) -> None:
        recorder, run = subject
        run.get_child("step").on_chain_start(SER, {})
        assert recorder.events == ["on_chain_start", "on_chain_start"]

    cases.append(Case("run manager.get_child(tag)", "tag", NOT_OPTIONAL_TEXT,
                      lambda s, v: s[1].get_child(v), subject=chain_run, usable=child_usable))
    return cases


def _group_cases() -> list[Case]:
    def sync_group(**kw: Any) -> None:
        with cb.trace_as_chain_group(**{"group_name": "g", **kw}):
            pass

    def async_group(**kw: Any) -> None:
        async def main() -> None:
            async with cb.atrace_as_chain_group(**{"group_name": "g", **kw}):
                pass

        asyncio.run(main())

    cases = []
    for name, enter in (("trace_as_chain_group", sync_group),
                        ("atrace_as_chain_group", async_group)):
        for argument, values in [("group_name", NOT_TEXT),
                                 ("callback_manager", NOT_OPTIONAL_MANAGER),
                                 ("run_id", NOT_OPTIONAL_UUID), ("tags", NOT_OPTIONAL_STRINGS),
                                 ("metadata", NOT_OPTIONAL_METADATA)]:
            cases.append(Case(f"{name}({argument})", argument, values,
                              lambda _, v, enter=enter, argument=argument: enter(
                                  **{argument: v}),
                              usable=lambda _, enter=enter: enter(tags=["t"])))
    return cases


# -- streams --------------------------------------------------------------------------------

def _projection(**kw: Any) -> rs.Projection:
    return rs.Projection(**{"name": "p", "method": "values", **kw})


def _tee_usable(lane: str) -> Callable[[Any], None]:
    def usable(mux: Any) -> None:
        channel = mux.extensions["values"]
        if lane == "async":
            async def main() -> list[Any]:
                branches = channel.tee(2)
                for step in range(2):
                    await mux.apush(values_event(step))
                mux.close()
                return [await _items(b) for b in branches]

            got = asyncio.run(main())
        else:
            branches = channel.tee(2)
            for step in range(2):
                mux.push(values_event(step))
            mux.close()
            got = [list(b) for b in branches]
        assert got == [[{"step": 0}, {"step": 1}]] * 2

    return usable


def _push(mux: Any, event: Any) -> None:
    if isinstance(mux, rs.StreamMux):
        asyncio.run(mux.apush(event))
    else:
        mux.push(event)


def _mux_usable(mux: Any) -> None:
    """Nothing was routed or stamped: the next valid event is the first, seq 1."""
    if isinstance(mux, rs.StreamMux):
        async def main() -> list[Any]:
            log = aiter(mux.main_log)
            await mux.apush(values_event(0))
            mux.close()
            return await _items(log)

        log = asyncio.run(main())
    else:
        reader = iter(mux.main_log)
        mux.push(values_event(0))
        mux.close()
        log = list(reader)
    assert [event.get("seq") for event in log] == [1], log
    assert mux.result.latest == {"step": 0}


def _root_run() -> rs.AsyncGraphRunStream:
    return rs.AsyncGraphRunStream(_agen([values_event(0), values_event(1, ("a",))]),
                                  rs.StreamMux())


def _root_usable(run: rs.AsyncGraphRunStream) -> None:
    """A nested stream opened after the refusal follows its namespace; the root its own."""
    async def main() -> tuple[Any, Any]:
        nested = run.nested(["a"])
        return await run.output(), await nested.output()

    assert asyncio.run(main()) == ({"step": 0}, {"step": 1})


KEYS = ("method", "namespace", "data")


def _without(keys: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in values_event(0).items() if k not in keys}


def _stream_cases() -> list[Case]:
    cases = [
        Case(f"Projection({argument})", argument, values,
             lambda _, v, argument=argument: _projection(**{argument: v}),
             usable=lambda _: _projection(namespace=("a",)))
        for argument, values in [("name", NOT_TEXT), ("method", NOT_TEXT),
                                 ("namespace", NOT_OPTIONAL_STRINGS), ("native", NOT_BOOL)]
    ]
    for lane, mux_cls, works in (("async", rs.StreamMux, async_run_works),
                                 ("sync", rs.SyncStreamMux, sync_run_works)):
        cases += [
            Case(f"{mux_cls.__name__}(projections)", "projections", NOT_PROJECTIONS,
                 lambda _, v, mux_cls=mux_cls: mux_cls(v), usable=lambda _, w=works: w()),
            Case(f"{mux_cls.__name__}(projection maxlen)", "maxlen", NOT_MAXLEN,
                 lambda _, v, mux_cls=mux_cls: mux_cls([_projection(maxlen=v)]),
                 usable=lambda _, w=works: w()),
            Case(f"{mux_cls.__name__}(scope)", "scope", NOT_STRINGS,
                 lambda _, v, mux_cls=mux_cls: mux_cls(scope=v), usable=lambda _, w=works: w()),
            Case(f"{mux_cls.__name__}.child(path)", "path", NOT_STRINGS,
                 lambda mux, v: mux.child(v), subject=mux_cls,
                 usable=lambda mux, w=works: (mux.child(["a"]), w(mux))),
            Case(f"{mux_cls.__name__}.child(projections)", "projections", NOT_PROJECTIONS,
                 lambda mux, v: mux.child(["a"], v), subject=mux_cls,
                 usable=lambda mux, w=works: (mux.child(["a"]), w(mux))),
            Case(f"{lane} channel.tee(n)", "n", NOT_TEE_N,
                 lambda mux, v: mux.extensions["values"].tee(v),
                 subject=mux_cls, usable=_tee_usable(lane)),
            Case(f"{lane} push(event)", "event", refused(lambda v: isinstance(v, Mapping)),
                 _push, subject=mux_cls, usable=_mux_usable),
            Case(f"{lane} push(event['namespace'])", "event['namespace']", NOT_STRINGS,
                 lambda mux, v: _push(mux, {**values_event(0), "namespace": v}),
                 subject=mux_cls, usable=_mux_usable),
            Case(f"{lane} push(event['method'])", "event['method']", NOT_TEXT,
                 lambda mux, v: _push(mux, {**values_event(0), "method": v}),
                 subject=mux_cls, usable=_mux_usable),
            Case(f"{lane} push(event['interrupts'])", "event['interrupts']",
                 refused(lambda v: isinstance(v, (list, tuple))),
                 lambda mux, v: _push(mux, {**values_event(0), "interrupts": v}),
                 subject=mux_cls, usable=_mux_usable),
        ]
        channel_cls = rs.StreamChannel if lane == "async" else rs.SyncStreamChannel
        cases += [
            Case(f"{channel_cls.__name__}(name)", "name", NOT_OPTIONAL_TEXT,
                 lambda _, v, c=channel_cls: c(v), usable=lambda _, c=channel_cls: c("ok")),
            Case(f"{channel_cls.__name__}(maxlen)", "maxlen", NOT_MAXLEN,
                 lambda _, v, c=channel_cls: c(maxlen=v),
                 usable=lambda _, c=channel_cls: c(maxlen=1)),
        ]
    cases += [
        Case("AsyncGraphRunStream(graph_aiter)", "graph_aiter", NOT_SOURCE_ASYNC,
             lambda mux, v: rs.AsyncGraphRunStream(v, mux), subject=rs.StreamMux,
             usable=async_run_works),
        Case("AsyncGraphRunStream(mux)", "mux", refused(lambda v: isinstance(v, rs.StreamMux)),
             lambda _, v: rs.AsyncGraphRunStream(_agen([]), v),
             usable=lambda _: async_run_works()),
        Case("GraphRunStream(graph_iter)", "graph_iter", NOT_SOURCE_SYNC,
             lambda mux, v: rs.GraphRunStream(v, mux), subject=rs.SyncStreamMux,
             usable=sync_run_works),
        Case("GraphRunStream(mux)", "mux", refused(lambda v: isinstance(v, rs.SyncStreamMux)),
             lambda _, v: rs.GraphRunStream(iter([]), v), usable=lambda _: sync_run_works()),
        Case("run.nested(path)", "path", NOT_STRINGS, lambda run, v: run.nested(v),
             subject=_root_run, usable=_root_usable),
        Case("run.nested(projections)", "projections", NOT_PROJECTIONS,
             lambda run, v: run.nested(["a"], v), subject=_root_run, usable=_root_usable),
    ]
    return cases


CASES = _manager_cases() + _run_manager_cases() + _group_cases() + _stream_cases()


def _names(message: str, argument: str) -> bool:
    """Whether ``message`` names ``argument`` as a word of its own (``n`` is not the n of
    "cannot")."""
    return re.search(rf"(?<![\w']){re.escape(argument)}(?![\w'])", message) is not None


def assert_refused(case: Case, value: Any) -> None:
    """The value is refused with a TypeError or ValueError naming the argument, and the
    subject is usable afterwards."""
    subject = case.subject()
    try:
        case.call(subject, value)
    except (TypeError, ValueError) as error:
        assert _names(str(error), case.argument), (
            f"{case}: {value!r:.80} raised {type(error).__name__}({error}), which does not "
            f"name {case.argument!r}")
    except BaseException as error:  # noqa: BLE001 - any other exception is the finding
        pytest.fail(f"{case}: {value!r:.80} raised {type(error).__name__}({error}); expected "
                    f"a TypeError or ValueError naming {case.argument!r}", pytrace=False)
    else:
        pytest.fail(f"{case}: {value!r:.80} was accepted", pytrace=False)
    case.usable(subject)


@pytest.mark.parametrize("case", CASES, ids=str)
@settings(max_examples=12, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(data=st.data())
def test_a_bad_argument_is_refused(case: Case, data: st.DataObject) -> None:
    assert_refused(case, data.draw(case.values, label=case.argument))


# -- the mistakes that once failed elsewhere or passed silently --------------------------------

def _case(case_id: str) -> Case:
    return next(case for case in CASES if case.id == case_id)


class NotAHandler:
    """A callback that is no handler: once, an AttributeError deep in the dispatch."""


REPORTED = [
    ("CallbackManager(handlers)", [NotAHandler()]),
    ("CallbackManager.configure(inheritable_callbacks)", [NotAHandler()]),
    ("sync manager.add_handler(handler)", NotAHandler()),
    ("sync manager.merge(other)", [cb.StdOutCallbackHandler()]),
    ("async manager.merge(other)", None),
    ("StreamMux(projections)", ["values"]),
    ("SyncStreamMux(scope)", "abc"),
    ("AsyncGraphRunStream(graph_aiter)", [values_event(0)]),
    ("GraphRunStream(graph_iter)", [values_event(0)]),
    ("sync manager.add_tags(tags)", "abc"),
    ("CallbackManager(tags)", "abc"),
    ("sync on_chain_start(run_id)", "5f2b1c5e-0000-4000-8000-000000000000"),
    ("async on_tool_start(run_id)", 42),
    ("sync on_llm_start(prompts)", "a prompt"),
    ("async on_llm_start(prompts)", "a prompt"),
    ("async channel.tee(n)", 2.5),
    ("sync channel.tee(n)", 2.5),
]


@pytest.mark.parametrize(("case_id", "value"), REPORTED + [
    (f"{lane} push(event)", _without(frozenset(missing)))
    for lane in ("async", "sync") for missing in [("namespace",), ("method", "data")]],
    ids=lambda v: v if isinstance(v, str) else None)
def test_reported_cases(case_id: str, value: Any) -> None:
    assert_refused(_case(case_id), value)


@pytest.mark.parametrize("lane", ["async", "sync"])
def test_a_source_event_names_each_key_it_lacks(lane: str) -> None:
    mux = rs.StreamMux() if lane == "async" else rs.SyncStreamMux()
    for missing in (frozenset({"namespace"}), frozenset(KEYS)):
        with pytest.raises(ValueError) as raised:
            _push(mux, _without(missing))
        assert all(repr(key) in str(raised.value) for key in missing), raised.value
    _mux_usable(mux)


def test_every_case_has_an_id_of_its_own() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})

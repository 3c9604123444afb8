"""CB-VERB: configure(verbose=True) only adds a stdout handler."""

from __future__ import annotations

import re

import pytest

from conformance.adapter import CB_VERBOSE
from conformance.checks import check, check_equal
from conformance.callbacks.lanes import call, configure, run

from conformance.callbacks.suites.test_identity import SER, exercise, start

pytestmark = pytest.mark.requires(CB_VERBOSE)

FIELDS = ("inheritable_handlers", "parent_run_id", "tags", "inheritable_tags", "metadata",
          "inheritable_metadata")


def _printers(cb, handlers):
    return [h for h in handlers if isinstance(h, cb.stdout_handler)]


@pytest.mark.rule("CB-VERB-1")
@pytest.mark.parametrize("verbose", [True, False])
def test_verbose_adds_one_local_stdout_handler(cb, handler, lane, verbose):
    manager = configure(cb, lane, inheritable_callbacks=[handler("req")], verbose=verbose)
    check_equal("CB-VERB-1", len(_printers(cb, manager.handlers)), 1 if verbose else 0,
                f"stdout handlers in handlers with verbose={verbose}")
    check_equal("CB-VERB-1", _printers(cb, manager.inheritable_handlers), [],
                f"stdout handlers in inheritable_handlers with verbose={verbose}")


def _configured_pair(cb, handler, lane):
    """The same arguments configured with verbose=True and with verbose=False."""
    req, own = handler("req"), handler("own")

    def make(verbose):
        parent = configure(cb, lane, inheritable_callbacks=[req], inheritable_tags=["parent"])
        return configure(cb, lane, inheritable_callbacks=parent, local_callbacks=[own],
                         verbose=verbose, inheritable_tags=["t"], local_tags=["own"],
                         inheritable_metadata={"m": 1}, local_metadata={"own": 1})

    return make(True), make(False)


@pytest.mark.rule("CB-VERB-2")
def test_verbose_changes_no_field(cb, handler, lane):
    loud, quiet = _configured_pair(cb, handler, lane)
    others = [h for h in loud.handlers if not isinstance(h, cb.stdout_handler)]
    check_equal("CB-VERB-2", others, quiet.handlers, "handlers other than the stdout handler")
    for name in FIELDS:
        check_equal("CB-VERB-2", getattr(loud, name), getattr(quiet, name),
                    f"{name} with verbose=True vs verbose=False")


@pytest.mark.rule("CB-VERB-2")
def test_verbose_changes_no_event(cb, handler, log, lane, capsys):
    loud, quiet = _configured_pair(cb, handler, lane)

    async def scenario(manager):
        before = len(log.events)
        rm = await start("chain", manager)
        await exercise(rm, "chain")
        await start("tool", rm.get_child())
        return [(e.handler, e.name, sorted(e.tags or []), e.metadata)
                for e in log.events[before:]]

    with_verbose = run(lane, lambda: scenario(loud))
    without = run(lane, lambda: scenario(quiet))
    capsys.readouterr()
    check("CB-VERB-2", without, "no event reached the handlers without verbose")
    check_equal("CB-VERB-2", sorted(with_verbose, key=repr), sorted(without, key=repr),
                "events the other handlers received with verbose=True vs verbose=False")


# (serialized, start keywords, the chain name the start line must show)
CHAIN_NAMES = {
    "name keyword": ({"name": "serialized", "id": ["pkg", "Cls"]}, {"name": "given"}, "given"),
    "serialized name": ({"name": "serialized", "id": ["pkg", "mod", "Cls"]}, {}, "serialized"),
    "last id element": ({"id": ["pkg", "mod", "Cls"]}, {}, "Cls"),
    "no name, no id": ({"kwargs": {}}, {}, "<unknown>"),
    "no serialized": (None, {}, "<unknown>"),
}


async def _chain_printing(manager, capsys, serialized=SER, keywords=None):
    """Start (with ``serialized`` and ``keywords``) and end a chain run; what was written
    to stdout by each step."""
    capsys.readouterr()
    rm = await call(manager.on_chain_start(serialized, {"q": 1}, **(keywords or {})))
    after_start = capsys.readouterr().out
    await exercise(rm, "chain")
    return after_start, capsys.readouterr().out


@pytest.mark.rule("CB-VERB-3")
@pytest.mark.parametrize("case", sorted(CHAIN_NAMES))
def test_verbose_prints(cb, lane, capsys, case):
    """Whatever the chain's serialized form (None included), verbose prints its progress."""
    serialized, keywords, _ = CHAIN_NAMES[case]
    after_start, after_end = run(lane, lambda: _chain_printing(
        configure(cb, lane, verbose=True), capsys, serialized, keywords))
    given = "".join(f", {key}={value!r}" for key, value in keywords.items())
    check("CB-VERB-3", after_start, "nothing written to stdout by starting a chain run with "
          f"verbose=True: on_chain_start({serialized!r}, ...{given}) (does the stdout handler "
          "fail on this serialized?)")
    check("CB-VERB-3", after_end, "nothing written to stdout by ending a chain run with "
          f"verbose=True ({case})")


@pytest.mark.rule("CB-VERB-3")
def test_quiet_prints_nothing(cb, lane, capsys):
    printed = run(lane, lambda: _chain_printing(configure(cb, lane, verbose=False), capsys))
    check_equal("CB-VERB-3", printed, ("", ""),
                "stdout written by starting and ending a chain run with verbose=False")


ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")  # terminal colour codes, allowed around the text


def _has_line(rule, text, wanted, what):
    lines = [ANSI_CODE.sub("", line) for line in text.splitlines()]
    check(rule, wanted in lines, f"{what}: expected a line {wanted!r}, got {text!r}")


@pytest.mark.rule("CB-VERB-5")
@pytest.mark.parametrize("case", sorted(CHAIN_NAMES))
def test_chain_progress_lines(cb, lane, capsys, case):
    serialized, keywords, name = CHAIN_NAMES[case]

    async def scenario():
        manager = configure(cb, lane, verbose=True)
        capsys.readouterr()
        rm = await call(manager.on_chain_start(serialized, {"q": 1}, **keywords))
        after_start = capsys.readouterr().out
        await call(rm.on_chain_end({"a": 2}))
        return after_start, capsys.readouterr().out

    after_start, after_end = run(lane, scenario)
    _has_line("CB-VERB-5", after_start, f"> Entering new {name} chain...",
              f"stdout on a chain start ({case})")
    _has_line("CB-VERB-5", after_end, "> Finished chain.", "stdout on a chain end")


@pytest.mark.rule("CB-VERB-5")
@pytest.mark.parametrize("end", [None, "", "\n", " (end)"],
                         ids=["not-given", "empty", "newline", "text"])
def test_text_printed_as_given(cb, lane, capsys, end):
    keywords = {} if end is None else {"end": end}

    async def scenario():
        rm = await call(configure(cb, lane, verbose=True).on_chain_start({"name": "c"}, {}))
        capsys.readouterr()
        await call(rm.on_text("some text", **keywords))
        return capsys.readouterr().out

    check_equal("CB-VERB-5", run(lane, scenario), "some text" + (end or ""),
                f"stdout written by on_text('some text'{f', end={end!r}' if keywords else ''})")


def _with_printer(cb, lane, route):
    printer = cb.stdout_handler()
    if route == "request":
        return configure(cb, lane, inheritable_callbacks=[printer], verbose=True)
    if route == "constructor":
        return configure(cb, lane, local_callbacks=[printer], verbose=True)
    parent = configure(cb, lane, inheritable_callbacks=[printer])  # "parent manager"
    return configure(cb, lane, inheritable_callbacks=parent, verbose=True)


@pytest.mark.rule("CB-VERB-4")
@pytest.mark.parametrize("route", ["request", "constructor", "parent manager"])
def test_no_second_stdout_handler(cb, lane, route):
    manager = _with_printer(cb, lane, route)
    check_equal("CB-VERB-4", len(_printers(cb, manager.handlers)), 1,
                f"stdout handlers after verbose=True with one already given as {route}")

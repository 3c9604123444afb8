"""Each callback lane is optional (specs/adapter.md): an implementation with one lane
certifies, and a lane declared without its factories is one usage error.

The reference with its sync lane only and with its async lane only
(``tests.variants.sync_only`` / ``async_only``) are certified in full, in a subprocess:
every rule that needs the missing lane is *not applicable*, every other rule passes.
"""

from __future__ import annotations

import re
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest

from conformance.adapter import CB_ASYNC, CB_SYNC, validate_adapter
from conformance.adapters.reference import runcert_adapter as reference
from conformance.callbacks.recording import Log, make_handler
from conformance.rules import contract_rules

from .conftest import USAGE_ERROR, Run, run_pytest

FAST = "--runcert-profile=fast"

#: The rules that need the lane a one-lane variant lacks: the other lane's own rules, and
#: those that need both lanes (get_sync() gives an async run manager's sync twin; parity
#: compares the two managers).
BOTH_LANES = {"CB-SYNC-1", "CB-SYNC-2", "CB-SYNC-3",
              "CB-PARITY-1", "CB-PARITY-2", "CB-PARITY-3", "CB-PARITY-4"}
NEEDS_MISSING_LANE = {
    "sync_only": BOTH_LANES | {f"CB-ASYNC-{n}" for n in range(1, 7)} | {
        "CB-ISO-1", "CB-DISP-6", "CB-GROUP-5", "CB-PAIR-4"},
    "async_only": BOTH_LANES | {
        # sync handlers under the async manager are the sync lane's base class
        "CB-ASYNC-1", "CB-ASYNC-2",
        "CB-ISO-2", "CB-DISP-1", "CB-GROUP-1", "CB-GROUP-2", "CB-GROUP-3", "CB-GROUP-4"},
}
MISSING = {"sync_only": CB_ASYNC, "async_only": CB_SYNC}


@pytest.fixture(scope="module", params=sorted(NEEDS_MISSING_LANE))
def one_lane(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Run, float]:
    """A full certification of a one-lane variant: its name, run and duration."""
    name = request.param
    started = time.monotonic()
    run = run_pytest([f"--impl=tests.variants.{name}", FAST, "-q", "-rs", "--tb=short"],
                     cwd=tmp_path_factory.mktemp(name), timeout=600)
    return name, run, time.monotonic() - started


def test_a_one_lane_implementation_meets_the_contract(one_lane):
    name, run, _ = one_lane
    assert run.ret == 0, run.text
    assert run.report["verdict"] == "meets" and not run.report["partial"], run.report
    assert run.report["failing_rules"] == [], run.report["failing_rules"]
    run.line(rf"runcert: {name} \S+, seed \d+: \d+ pass, \d+ not applicable; "
             rf"verdict: MEETS the contract")


def test_every_rule_that_needs_the_missing_lane_is_not_applicable(one_lane):
    name, run, _ = one_lane
    outcomes = run.outcomes()
    na = {rule for rule, outcome in outcomes.items() if outcome == "not applicable"}
    assert na == NEEDS_MISSING_LANE[name], (
        f"not applicable but needing no missing lane: {sorted(na - NEEDS_MISSING_LANE[name])}; "
        f"needing it but not n/a: {sorted(NEEDS_MISSING_LANE[name] - na)}")


def test_every_rule_of_the_present_lane_passes(one_lane):
    name, run, _ = one_lane
    outcomes = run.outcomes()
    assert set(outcomes) == set(contract_rules()), "a full run reports every rule"
    others = {rule: outcome for rule, outcome in outcomes.items()
              if rule not in NEEDS_MISSING_LANE[name]}
    assert {rule: o for rule, o in others.items() if o != "pass"} == {}, run.tail()


def test_not_applicable_tests_name_the_missing_capability(one_lane):
    """No test failed or was skipped for another reason: each skip names the lane."""
    name, run, _ = one_lane
    assert not [line for line in run.out if line.startswith(("FAILED", "ERROR"))], run.text
    skipped = [line for line in run.out if line.startswith("SKIPPED")]
    assert skipped, run.text
    declared = rf"{name} does not declare (callbacks|streams)\.\w+(, \S+)*"
    assert all(re.fullmatch(rf"SKIPPED \[\d+\] .*: not applicable: {declared}( \(.*\))?",
                            line) for line in skipped), skipped
    assert any(MISSING[name] in line for line in skipped), skipped


# -- the adapter: factories against capabilities ---------------------------------------------

def test_undeclared_lane_factories_are_dropped():
    """The capability is the declaration: the kit never drives an undeclared lane."""
    adapter = validate_adapter(
        replace(reference, capabilities=reference.capabilities - {CB_ASYNC}), "--impl=x")
    assert adapter.callbacks is not None
    assert (adapter.callbacks.async_callback_manager, adapter.callbacks.async_handler,
            adapter.callbacks.atrace_as_chain_group) == (None, None, None)
    assert adapter.callbacks.callback_manager is reference.callbacks.callback_manager


def test_a_missing_handler_kind_makes_the_test_not_applicable():
    """A scenario found to need an absent lane while it is built ends as n/a, naming it."""
    adapter = validate_adapter(
        replace(reference, name="synconly", capabilities=reference.capabilities - {CB_ASYNC}),
        "--impl=x")
    with pytest.raises(pytest.skip.Exception, match=re.escape(
            "not applicable: synconly does not declare callbacks.async "
            "(the test needs an async handler)")):
        make_handler(adapter, "h", Log(), is_async=True)
    assert isinstance(make_handler(adapter, "h", Log()),  # any kind: the one it has
                      reference.callbacks.base_handler)


def _without(name: str, capabilities: str, **factories: None) -> str:
    """Source of a module whose adapter is the reference with ``factories`` set to None."""
    fields = ", ".join(f"{key}=None" for key in factories)
    return textwrap.dedent(f"""\
        from dataclasses import replace
        from conformance.adapter import *
        from conformance.adapters.reference import runcert_adapter as _ref
        runcert_adapter = replace(_ref, name={name!r}, capabilities={capabilities},
                                  callbacks=replace(_ref.callbacks, {fields}))
        """)


ALL = "_ref.capabilities"
MODULES = {
    "noasync": _without("noasync", ALL, async_callback_manager=None, async_handler=None),
    "nosync": _without("nosync", ALL, callback_manager=None, base_handler=None),
    "noagroup": _without("noagroup", ALL, atrace_as_chain_group=None),
    "nostdout": _without("nostdout", ALL, stdout_handler=None),
    "asynconly": _without("asynconly", "_ref.capabilities - {CB_SYNC}",
                          callback_manager=None, base_handler=None),
}
TAIL = (r" \(a declared capability needs its factories; leave the capability out to "
        r"certify without that lane\)")
USAGE_ERRORS = [
    ("noasync", r"declares callbacks\.async but its CallbackFactories has no "
                r"async_callback_manager, async_handler"),
    ("nosync", r"declares callbacks\.sync but its CallbackFactories has no "
               r"callback_manager, base_handler"),
    ("noagroup", r"declares callbacks\.async with callbacks\.trace_group but its "
                 r"CallbackFactories has no atrace_as_chain_group"),
    ("nostdout", r"declares callbacks\.verbose but its CallbackFactories has no stdout_handler"),
]


@pytest.mark.parametrize(("impl", "message"), USAGE_ERRORS, ids=[i for i, _ in USAGE_ERRORS])
def test_a_declared_lane_without_its_factories_is_one_usage_error(
        runcert_inprocess, pytester, impl, message):
    """One line naming the option, the capability and the missing factories; nothing ran."""
    pytester.makepyfile(**MODULES)
    run = runcert_inprocess(f"--impl={impl}")
    assert run.ret == USAGE_ERROR, run.text
    assert re.fullmatch(rf"ERROR: runcert: --impl={impl} {message}{TAIL}",
                        run.error_line()), run.error_line()
    assert not [line for line in run.out if re.search(r"\b(passed|failed|skipped)\b", line)]


def test_factories_of_an_undeclared_lane_may_be_missing(runcert_inprocess, pytester):
    """Leaving a lane's capability out is how one certifies without it: no error."""
    pytester.makepyfile(**MODULES)
    run = runcert_inprocess("--impl=asynconly", "--collect-only", "-q")
    assert run.ret == 0, run.text


def test_the_usage_error_is_quick(tmp_path: Path):
    """Before any test: the run that once reported 404 failures in 86 s stops at once."""
    (tmp_path / "noasync.py").write_text(MODULES["noasync"])
    started = time.monotonic()
    run = run_pytest(["--impl=noasync"], cwd=tmp_path, timeout=60)
    assert run.ret == USAGE_ERROR, run.text
    assert run.error_line().startswith("ERROR: runcert: --impl=noasync declares callbacks.async")
    assert time.monotonic() - started < 30

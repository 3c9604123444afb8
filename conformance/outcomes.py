"""The outcome legend (GUIDE §4) and the per-rule verdicts of a run."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from conformance.rules import Rule

PASS = "pass"
FAIL = "fail"
NOT_APPLICABLE = "not applicable"
OPTIONAL_UNMET = "optional unmet"
KNOWN_DEVIATION = "known deviation"
TIMEOUT = "timeout"
DEVIATION_FIXED = "deviation fixed"  # listed as a deviation, yet every test passed
NOT_RUN = "not run"  # no test reached its checks: none collected, -k/-m, or stopped on a premise
DESELECTED = "deselected"  # excluded by --runcert-rules: this run says nothing about it
#: A skip whose reason holds this is "not applicable" (any other skip gives no outcome).
NA_PREFIX = f"{NOT_APPLICABLE}: "

LEGEND = {
    PASS: "every test citing the rule passed",
    FAIL: "a test observed a violation of a MUST rule",
    NOT_APPLICABLE: "the adapter does not declare the capability the rule needs",
    OPTIONAL_UNMET: "a SHOULD/MAY rule the implementation does not meet",
    KNOWN_DEVIATION: "listed in the adapter's deviation manifest and confirmed by its own check",
    TIMEOUT: "the implementation did not return within the time limit",
    DEVIATION_FIXED: "listed as a deviation but no test confirmed it (remove it from the manifest)",
    NOT_RUN: "no test of this rule ran to its checks (none collected, deselected, or each "
             "stopped on another rule's finding first)",
    DESELECTED: "not selected by --runcert-rules (not certified by this run)",
}
# Worst first: a rule's outcome is the worst outcome among its tests.
SEVERITY = [FAIL, TIMEOUT, DEVIATION_FIXED, KNOWN_DEVIATION, OPTIONAL_UNMET, PASS,
            NOT_APPLICABLE, DESELECTED, NOT_RUN]
FAILING = frozenset({FAIL, TIMEOUT, DEVIATION_FIXED})
SYMBOL = {PASS: "+", FAIL: "-", NOT_APPLICABLE: "n/a", OPTIONAL_UNMET: "~",
          KNOWN_DEVIATION: "dev", TIMEOUT: "T", DEVIATION_FIXED: "fixed?", NOT_RUN: ".",
          DESELECTED: "desel"}


@dataclass
class TestVerdict:
    nodeid: str
    outcomes: dict[str, str]  # rule -> outcome for this test
    message: str = ""
    duration: float = 0.0
    transcripts: dict[str, str] = field(default_factory=dict)  # rule -> reproducing transcript
    failed: bool = False  # the test failed (with no outcome: on no rule of the contract)


@dataclass
class RuleResult:
    rule: Rule
    outcome: str = NOT_RUN
    tests: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    duration: float = 0.0
    transcripts: list[str] = field(default_factory=list)  # of the failing tests, if any


def aggregate(
    rules: dict[str, Rule], verdicts: Iterable[TestVerdict], deviations: dict[str, str]
) -> dict[str, RuleResult]:
    results = {rid: RuleResult(rule) for rid, rule in rules.items()}
    seen: dict[str, list[str]] = defaultdict(list)
    for verdict in verdicts:
        for rid, outcome in verdict.outcomes.items():
            if rid not in results:
                continue
            result = results[rid]
            result.tests.append(verdict.nodeid)
            result.duration += verdict.duration
            seen[rid].append(outcome)
            if outcome not in (PASS, NOT_APPLICABLE) and verdict.message:
                result.messages.append(f"{verdict.nodeid}: {verdict.message}")
            transcript = verdict.transcripts.get(rid)
            if transcript and transcript not in result.transcripts:
                result.transcripts.append(transcript)
    for rid, outcomes in seen.items():
        worst = min(outcomes, key=SEVERITY.index)
        if rid in deviations and worst in (PASS,):
            worst = DEVIATION_FIXED
            results[rid].messages.append(f"listed as a deviation ({deviations[rid]}) but passed")
        results[rid].outcome = worst
    return results


def totals(results: Iterable[RuleResult]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for r in results:
        counts[r.outcome] += 1
    return dict(counts)

"""Users' own transcripts: ``pytest --impl=NAME --runcert-transcripts=DIR``.

Every ``*.json`` file under DIR is validated (specs/transcripts/) and replayed on the
implementation, in addition to the packaged transcripts: callback transcripts once per
lane, stream transcripts (``"contract": "streams"``) once. Each test cites the
transcript's own rules, so the report gives an outcome per rule; a difference is
attributed to one of them (TR-REPLAY-3). A malformed file is one failing test whose
message names the file, the JSON path and what was expected, citing the ``TR-`` rule it
breaks (TR-FMT-6). Without a directory no test is collected (see ``conftest.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.checks import RuleViolation
from conformance.contracts import contract_of
from conformance.errors import ProgramError
from conformance.plugin import directory_setting
from conformance.transcripts.validate import TranscriptError, load_transcript


@dataclass(frozen=True)
class Case:
    """One test: a transcript on one lane, or the problem that keeps it from running."""

    path: Path
    doc: dict[str, Any] | None = None
    lane: str | None = None
    problem: str | None = None


def needs(doc: dict[str, Any], lane: str) -> list[str]:
    """The capabilities replaying ``doc`` on ``lane`` needs (TR-REPLAY-1)."""
    return contract_of(doc).needs(doc, lane)


def _problem(path: Path, message: str, rule: str, ident: str) -> Any:
    return pytest.param(Case(path, problem=message), id=ident, marks=pytest.mark.rule(rule))


def user_params(directory: Path | None) -> list[Any]:
    """The parameters of the user transcript test for ``directory`` (none without one)."""
    if directory is None:
        return []
    if not directory.is_dir():
        return [_problem(directory, f"--runcert-transcripts={directory}: no such directory",
                         "TR-REPLAY-4", "directory")]
    files = sorted(directory.rglob("*.json"))
    if not files:
        return [_problem(directory, f"--runcert-transcripts={directory}: the directory "
                                    f"holds no *.json transcript", "TR-REPLAY-4", "directory")]
    params = []
    for path in files:
        ident = path.relative_to(directory).with_suffix("").as_posix()
        try:
            doc = load_transcript(path)
        except TranscriptError as exc:
            params.append(_problem(path, str(exc), exc.rule, ident))
            continue
        for lane in doc["lanes"]:
            params.append(pytest.param(
                Case(path, doc, lane), id=f"{ident}-{lane}",
                marks=[pytest.mark.rule(*doc["rules"]),
                       pytest.mark.requires(*needs(doc, lane))]))
    return params


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "user_transcript" in metafunc.fixturenames:
        directory = directory_setting(metafunc.config, "runcert_transcripts")
        if directory is not None:
            directory = metafunc.config.invocation_params.dir / directory
        metafunc.parametrize("user_transcript", user_params(directory))


def replay(case: Case, adapter: Any) -> None:
    """Replay one case; a difference is a RuleViolation naming the file and lane."""
    assert case.doc is not None and case.lane is not None
    try:
        contract_of(case.doc).replay(case.doc, adapter, case.lane)
    except RuleViolation as violation:
        raise RuleViolation(violation.rule, f"{case.path} [{case.lane} lane] "
                                            f"{violation.message}",
                            transcript=str(case.path)) from None


def test_user_transcript(runcert_adapter, user_transcript: Case) -> None:
    """Replay one of the user's transcripts on one lane."""
    if user_transcript.problem is not None:
        pytest.fail(user_transcript.problem, pytrace=False)
    try:
        replay(user_transcript, runcert_adapter)
    except ProgramError as exc:
        pytest.fail(f"{user_transcript.path}: {exc}", pytrace=False)

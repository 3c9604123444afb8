"""The wire is faithful: the reference over it has the outcome it has in process, rule by
rule, and broken implementations are rejected on the same rule over it.

Each certification runs in a subprocess (``tests.certify``: fast profile, the self-tests'
fixed seed, a JSON report), once in process and once served by the Python driver
(``--impl=wire:reference``, ``--impl=wire:python:<variant>``); the reports are compared.
The broken variants certified here are a sample, one per area of the contract where the
wire has work to do (identity, mirrored lists, exceptions, threads, loops, cancellation,
the sync lane, streams); ``RUNCERT_WIRE_VARIANTS=all`` certifies every one of them.
"""

from __future__ import annotations

import importlib
import os
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from tests.certify import Certification, assert_rejected, certify, start_all
from tests.certify import STREAM_SUITES
from tests.wire.harness import callback_suites, certify_over_wire

CALLBACK_SAMPLE = [
    "run_shares_handler_list",      # a list shared between two objects of the driver
    "chat_start_copies_messages",   # payload identity
    "error_reports_cause",          # exceptions and their cause
    "async_inline_in_executor",     # threads: an inline handler off the loop thread
    "async_raise_error_ignored",    # errors of kit handlers through the async manager
    "cancelling_task_skips_handlers",  # cancellation across the wire
    "sync_dispatch_defers_coroutines",  # an async handler under the sync manager
    "verbose_replaces_local",       # the driver's own handler class, and its output
]
STREAM_SAMPLE = [
    "concurrent_pulls",             # single flight, seen through the kit's source
    "background_pump",              # a task of the driver that nothing awaits
    "abort_keeps_source_open",      # abort and the source's aclose()
    "maxlen_accepts_floats",        # arguments checked by the driver
]


def _names(package: str, sample: list[str]) -> list[str]:
    if os.environ.get("RUNCERT_WIRE_VARIANTS") == "all":
        folder = Path(__file__).resolve().parents[1].joinpath(*package.split(".")[1:])
        return sorted(p.stem for p in folder.glob("[a-z]*.py"))
    return sample


CALLBACK_VARIANTS = _names("tests.callbacks.broken", CALLBACK_SAMPLE)
STREAM_VARIANTS = _names("tests.streams.broken", STREAM_SAMPLE)


def _run(name: str, workdir: Path) -> Certification:
    """``reference``/``reference-in-process``, or ``cb:<variant>`` / ``rs:<variant>``."""
    if name == "reference-in-process":
        return certify(name, "reference", [callback_suites(None)[0].parent,
                                           STREAM_SUITES], workdir)
    if name == "reference":
        return certify_over_wire(name, "reference", [callback_suites(None)[0].parent,
                                                     STREAM_SUITES], workdir)
    area, _, variant = name.partition(":")
    module = _module(name)
    suites = callback_suites(module.BREAKS) if area == "cb" else [STREAM_SUITES]
    return certify_over_wire(variant, module.__name__, suites, workdir)


def _module(name: str) -> Any:
    area, _, variant = name.partition(":")
    package = "tests.callbacks.broken" if area == "cb" else "tests.streams.broken"
    return importlib.import_module(f"{package}.{variant}")


ALL = (["reference-in-process", "reference"] + [f"cb:{n}" for n in CALLBACK_VARIANTS]
       + [f"rs:{n}" for n in STREAM_VARIANTS])


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, Future[Certification]]:
    wanted = {"reference-in-process", "reference"}
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "variant" in callspec.params:
            wanted.add(callspec.params["variant"])
    return start_all(request, tmp_path_factory.mktemp("wire-certifications"),
                     [n for n in ALL if n in wanted], _run)


def test_reference_has_the_same_outcome_for_every_rule(runs) -> None:
    in_process = runs["reference-in-process"].result()
    over_wire = runs["reference"].result()
    expected, got = in_process.outcomes(), over_wire.outcomes()
    assert set(got) == set(expected), "the two reports name different rules"
    differing = {rule: (expected[rule], got[rule]) for rule in expected
                 if expected[rule] != got[rule]}
    assert not differing, (
        "rule: (in process, over the wire): " + ", ".join(
            f"{rule}: {pair} ({(over_wire.report or {})['rules'][rule].get('message')})"
            for rule, pair in sorted(differing.items())))
    assert over_wire.returncode == in_process.returncode == 0, over_wire.tail()


def _variant(name: str) -> Any:
    """A variant's parameter; one whose bug the wire cannot reach (``OVER_THE_WIRE``
    says why) is expected to escape, strictly: rejected over the wire, it fails here."""
    escapes = getattr(_module(name), "OVER_THE_WIRE", None)
    marks = [pytest.mark.xfail(strict=True, reason=escapes)] if escapes else []
    return pytest.param(name, id=name, marks=marks)


@pytest.mark.parametrize("variant", [_variant(f"cb:{n}") for n in CALLBACK_VARIANTS]
                         + [_variant(f"rs:{n}") for n in STREAM_VARIANTS])
def test_broken_variant_is_rejected_on_its_rule_over_the_wire(variant: str, runs) -> None:
    assert_rejected(runs[variant].result(), _module(variant))

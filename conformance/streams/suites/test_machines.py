"""State machines over the run stream: backpressure and abort (``conformance.streams.machines``).

Each machine explores interleavings of produce, subscribe, consume, tee, results and
abort; a failing run shrinks to a short sequence of named steps, printed by Hypothesis
(``state.subscribe(log='b1')``, ``state.consume(consumer=cursors_0)``, ...), and the
failure names its rule. With ``--runcert-counterexamples=DIR`` the shrunk steps are also
written there as a replayable stream transcript, and the failure names the file.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from hypothesis import Phase, settings

from conformance.adapter import RS_ASYNC, Adapter
from conformance.counterexamples import Exporter
from conformance.streams.machines import AbortMachine, BackpressureMachine, bind, exporting

pytestmark = pytest.mark.requires(RS_ASYNC)


@pytest.fixture(autouse=True)
def _bound(runcert_adapter: Adapter, counterexamples: Exporter) -> Iterator[None]:
    # Earlier tests' garbage (a task destroyed with its exception unretrieved logs from
    # its finalizer) is collected now: a finalizer that runs while Hypothesis parses this
    # module's source makes CPython 3.11.7's ast.parse raise SystemError.
    gc.collect()
    with bind(runcert_adapter, counterexamples):
        yield


def _scaled(share: float, steps: int) -> settings:
    """``share`` of the profile's examples (so --runcert-profile still scales them); no
    explain phase (it replays a shrunk failure many times for little news)."""
    profile = settings()  # the profile the plugin loaded
    return settings(max_examples=max(5, int(profile.max_examples * share)),
                    stateful_step_count=steps,
                    phases=[p for p in profile.phases if p is not Phase.explain])


TestBackpressureMachine = exporting(BackpressureMachine.TestCase)
TestBackpressureMachine.settings = _scaled(3.0, 30)
TestBackpressureMachine = pytest.mark.rule(
    "RS-BP-1", "RS-BP-2", "RS-BP-3", "RS-BP-6", "RS-DELIV-1", "RS-PROJ-2", "RS-FLIGHT-1",
)(TestBackpressureMachine)

TestAbortMachine = exporting(AbortMachine.TestCase)
TestAbortMachine.settings = _scaled(4.0, 25)
TestAbortMachine = pytest.mark.rule(
    "RS-ABORT-1", "RS-ABORT-2", "RS-ABORT-3", "RS-ABORT-4", "RS-ABORT-5", "RS-ABORT-6",
    "RS-ABORT-7", "RS-ABORT-9", "RS-RES-5", "RS-RES-6", "RS-DELIV-1", "RS-FLIGHT-1",
)(TestAbortMachine)

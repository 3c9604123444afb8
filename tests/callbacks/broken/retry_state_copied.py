"""Breaks CB-EV-7: on_retry hands handlers a shallow copy of the retry state.

``copy.copy(retry_state)`` ("so that handlers cannot mutate the retrier's state"):
handlers get an equal-looking object, not the retry state the caller reported.
"""

import copy

from tests._variant import adapter, private_reference

BREAKS = "CB-EV-7"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
rm = ref.run_managers


def on_retry(self, retry_state, **kwargs):
    self._emit("on_retry", "ignore_retry", (copy.copy(retry_state),), kwargs)  # BROKEN


async def aon_retry(self, retry_state, **kwargs):
    await self._emit("on_retry", "ignore_retry", (copy.copy(retry_state),), kwargs)  # BROKEN


rm.RunManager.on_retry = on_retry
rm.AsyncRunManager.on_retry = aon_retry
runcert_adapter = adapter(ref, "retry_state_copied", __doc__.splitlines()[0])

"""Breaks CB-IGN-6: on_retry is dispatched with no ignore flag.

The run managers' ``on_retry`` was copied from ``on_text`` and kept its ``None`` flag,
so ``ignore_retry`` silences nothing.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-IGN-6"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
rm = ref.run_managers


def on_retry(self, retry_state, **kwargs):
    self._emit("on_retry", None, (retry_state,), kwargs)  # BROKEN: "ignore_retry"


async def aon_retry(self, retry_state, **kwargs):
    await self._emit("on_retry", None, (retry_state,), kwargs)  # BROKEN: "ignore_retry"


rm.RunManager.on_retry = on_retry
rm.AsyncRunManager.on_retry = aon_retry
runcert_adapter = adapter(ref, "retry_without_flag", __doc__.splitlines()[0])

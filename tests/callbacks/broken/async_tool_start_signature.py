"""Breaks CB-PARITY-3: the async manager's on_tool_start has no parent_run_id parameter.

The sync ``CallbackManager.on_tool_start`` names ``parent_run_id``; the async one was
written without it. A ``parent_run_id`` passed to it lands in ``**kwargs`` and is handed
on unchanged, so every event is the same; only the method's parameters differ from the
sync one's.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-PARITY-3"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
AsyncCallbackManager = ref.managers.AsyncCallbackManager
_reference_on_tool_start = AsyncCallbackManager.on_tool_start


async def on_tool_start(self, serialized, input_str, run_id=None, inputs=None,
                        **kwargs):  # BROKEN: parent_run_id is missing
    return await _reference_on_tool_start(self, serialized, input_str, run_id=run_id,
                                          inputs=inputs, **kwargs)


AsyncCallbackManager.on_tool_start = on_tool_start
runcert_adapter = adapter(ref, "async_tool_start_signature", __doc__.splitlines()[0])

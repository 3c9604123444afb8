"""Breaks CB-META-1: on_chat_model_start is dispatched without the manager's metadata.

The reference gives every start event the manager's metadata; this variant's chat-model
start omits it, so tracers record chat-model runs without their metadata.
"""

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-META-1"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
managers = ref.managers


def _start_kwargs(run, kwargs):
    kwargs = _reference_start_kwargs(run, kwargs)
    if isinstance(run, (managers.CallbackManagerForChatModelRun,
                        managers.AsyncCallbackManagerForChatModelRun)):
        del kwargs["metadata"]  # BROKEN: chat-model starts carry metadata too
    return kwargs


_reference_start_kwargs = replace_function(ref, "_start_kwargs", _start_kwargs)
runcert_adapter = adapter(ref, "chat_start_drops_metadata", __doc__.splitlines()[0])

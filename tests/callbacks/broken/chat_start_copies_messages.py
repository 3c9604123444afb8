"""Breaks CB-EV-5: on_chat_model_start delivers a copy of each message list.

The managers wrap ``[list(message_list)]`` instead of ``[message_list]``: equal
messages, but not the list object the caller gave.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-EV-5"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
m = ref.managers
_sync, _async = m.CallbackManager.on_chat_model_start, m.AsyncCallbackManager.on_chat_model_start


def on_chat_model_start(self, serialized, messages, run_id=None, **kwargs):
    copies = [list(message_list) for message_list in messages]  # BROKEN: a copy of each
    return _sync(self, serialized, copies, run_id, **kwargs)


async def aon_chat_model_start(self, serialized, messages, run_id=None, **kwargs):
    copies = [list(message_list) for message_list in messages]  # BROKEN: a copy of each
    return await _async(self, serialized, copies, run_id, **kwargs)


m.CallbackManager.on_chat_model_start = on_chat_model_start
m.AsyncCallbackManager.on_chat_model_start = aon_chat_model_start
runcert_adapter = adapter(ref, "chat_start_copies_messages", __doc__.splitlines()[0])

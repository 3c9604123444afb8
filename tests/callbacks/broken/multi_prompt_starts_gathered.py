"""Breaks CB-DISP-6: the starts of a multi-prompt LLM call are dispatched concurrently.

The async manager's ``on_llm_start`` / ``on_chat_model_start`` build every prompt's run
first and then ``asyncio.gather`` the start dispatches, so an inline handler that
awaits while handling one prompt's start already receives the next prompt's start.
"""

import asyncio

from tests._variant import adapter, private_reference

BREAKS = "CB-DISP-6"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
m = ref.managers
rm = ref.run_managers


async def _start_gathered(manager, run_class, event_name, serialized, items, run_id, kwargs):
    runs = [manager._begin(run_class, run_id if index == 0 else None)
            for index in range(len(items))]
    await asyncio.gather(*(  # BROKEN: one prompt after the other
        m._astart(run, event_name, run.run_flag, (serialized, [item]), dict(kwargs))
        for run, item in zip(runs, items)))
    return runs


async def on_llm_start(self, serialized, prompts, run_id=None, **kwargs):
    return await _start_gathered(self, rm.AsyncCallbackManagerForLLMRun, "on_llm_start",
                                 serialized, prompts, run_id, kwargs)


async def on_chat_model_start(self, serialized, messages, run_id=None, **kwargs):
    return await _start_gathered(self, rm.AsyncCallbackManagerForChatModelRun,
                                 "on_chat_model_start", serialized, messages, run_id, kwargs)


m.AsyncCallbackManager.on_llm_start = on_llm_start
m.AsyncCallbackManager.on_chat_model_start = on_chat_model_start
runcert_adapter = adapter(ref, "multi_prompt_starts_gathered", __doc__.splitlines()[0])

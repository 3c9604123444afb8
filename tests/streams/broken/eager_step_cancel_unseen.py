"""Breaks RS-ABORT-3: a pull task cancelled before its first step never sees the cancellation.

The step starts eagerly (run now, a task only if it suspends) with the relay that
``reference.eager`` had before its fix: the task's coroutine is a fresh wrapper, so a
``cancel()`` that lands before the task first runs is thrown into a coroutine that has
not started and ends the task at once, while the pull it wraps stays suspended forever,
its cleanup never run. That is what happens when the pull itself calls ``abort()``.
"""

import asyncio
import contextvars
from types import coroutine

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-ABORT-3"
ALSO: dict[str, str] = {}


def unprimed_start(coro, context=None):
    if context is None:
        context = contextvars.copy_context()
    try:
        signal = context.run(coro.send, None)
    except StopIteration:
        return None
    # BROKEN: the wrapper is not primed, a cancellation before its first step is lost
    return asyncio.get_running_loop().create_task(_resume(coro, signal), context=context)


async def _resume(coro, signal):
    await _relay(coro, signal)


@coroutine
def _relay(coro, signal):
    while True:
        try:
            answer = yield signal
        except BaseException as exc:
            try:
                signal = coro.throw(exc)
            except StopIteration:
                return
        else:
            try:
                signal = coro.send(answer)
            except StopIteration:
                return


class UnprimedRun(AsyncGraphRunStream):
    async def _apump_next(self, ready=None):
        if self._exhausted or self._source is None or (ready is not None and ready.done()):
            return await super()._apump_next(ready)
        if self._step is None:
            step = unprimed_start(self._pull_and_route(self._source))
            if step is None:
                return True
            self._step = step
        waiting = {self._step} | ({ready} if ready is not None else set())
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        return True


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=UnprimedRun)

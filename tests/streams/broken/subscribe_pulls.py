"""Breaks RS-PUMP-1: the first subscription starts the run before anyone reads.

The first ``aiter()`` of one of the run's projections (or of its main log) "warms up"
the run: it starts the first step of the pump as a task, so that the first item is
on its way by the time a reader asks for it. The step is the ordinary single-flight
one, so the first reader joins it and nothing is pulled twice; but a run that is only
subscribed pulls.
"""

import asyncio

from reference.streams import AsyncGraphRunStream, StreamChannel

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-PUMP-1"
ALSO: dict[str, str] = {}


class WarmingChannel(StreamChannel):
    def __aiter__(self):
        cursor = super().__aiter__()
        self._warm_up()
        return cursor


class WarmUpRun(AsyncGraphRunStream):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._warmed = False
        for channel in self._mux._channels():
            channel.__class__ = WarmingChannel
            channel._warm_up = self._warm_up

    def _warm_up(self) -> None:
        if self._warmed or self._step is not None or self._exhausted or self._source is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # subscribed outside a loop: the first read starts the run
        self._warmed = True
        self._step = loop.create_task(self._pull_and_route(self._source))  # BROKEN: unasked


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=WarmUpRun)

"""Breaks RS-BP-4: a ``maxlen`` that is not an int is accepted.

Only ``maxlen <= 0`` is rejected, so ``maxlen=1.5`` declares a log, as in LangGraph
1.2.22 (``stream_channel.py``, against its own docstring).
"""

from reference.streams import StreamChannel
from reference.streams._core import ChannelState

from tests.streams.broken._streams import mux_with_channel, stream_adapter

BREAKS = "RS-BP-4"
ALSO: dict[str, str] = {}


class LaxChannel(StreamChannel):
    def __init__(self, name=None, *, maxlen=None) -> None:
        if maxlen is not None and maxlen <= 0:  # BROKEN: a non-int passes
            raise ValueError("maxlen must be positive")
        self._state = ChannelState(name, maxlen)
        self._pump = None


runcert_adapter = stream_adapter(__name__, __doc__, mux=mux_with_channel(LaxChannel))

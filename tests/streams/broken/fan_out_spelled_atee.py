"""Breaks RS-PROJ-5: async projections spell fan-out ``atee(n)``; ``tee(n)`` raises.

As in LangGraph 1.2.22 (``stream_channel.py`` ``tee``/``atee``): the documented
``projection.tee(n)`` raises ``TypeError`` on the async lane. The adapter declares
``atee`` as its fan-out hook, so every other tee rule is judged through it.
"""

import dataclasses

from reference.streams import StreamChannel

from tests.streams.broken._streams import mux_with_channel, stream_adapter

BREAKS = "RS-PROJ-5"
ALSO: dict[str, str] = {}


class AteeChannel(StreamChannel):
    def atee(self, n=2):
        return StreamChannel.tee(self, n)

    def tee(self, n=2):
        raise TypeError("This StreamChannel is bound to async mode; use atee()")  # BROKEN


_base = stream_adapter(__name__, __doc__, mux=mux_with_channel(AteeChannel))
runcert_adapter = dataclasses.replace(
    _base, streams=dataclasses.replace(_base.streams, tee=lambda projection, n: projection.atee(n)))

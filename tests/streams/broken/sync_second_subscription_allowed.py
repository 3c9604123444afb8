"""Breaks RS-SYNC-2: on the sync lane a second subscription takes over silently.

The sync channel's subscribe has no single-consumer check: a second ``iter()`` (or a
tee after one) replaces the first subscriber.
"""

from reference.streams import SyncStreamChannel, SyncStreamMux
from reference.streams._core import ChannelState

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-SYNC-2"
ALSO: dict[str, str] = {}


class SharedState(ChannelState):
    def subscribe(self) -> object:
        self.subscriber = token = object()  # BROKEN: no check for a subscriber
        return token


class SharedSyncMux(SyncStreamMux):
    def _new_channel(self, name, maxlen):
        channel = SyncStreamChannel(name, maxlen=maxlen)
        channel._state = SharedState(name, maxlen)
        channel._bind(self._request_more)
        return channel


runcert_adapter = stream_adapter(__name__, __doc__, sync_mux=SharedSyncMux)

"""Breaks RS-DELIV-5: at the end of the source, a declared projection no event matched raises.

To flag a mistyped declaration, the end of the source fails every declared projection
that never received an event with ``LookupError("no event matched ...")`` instead of
ending it: its reader gets that error where the run is over and it should end cleanly
(``values``, and projections that received events, end as they should; abort() is
unaffected).
"""

from reference.streams import AsyncGraphRunStream, StreamMux

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-DELIV-5"
ALSO = {
    "RS-EXT-4": "its test declares a projection no event matches and drains it after the end",
    "RS-PROJ-3": "a tee over a projection no event matched hands the error to its branches at the end",
}


class UnmatchedFailsMux(StreamMux):
    def _deliveries(self, event):
        found = super()._deliveries(event)
        self.matched = getattr(self, "matched", set()) | {channel for channel, _ in found}
        return found

    def end_of_source(self) -> None:
        matched = getattr(self, "matched", set())
        for projection, channel in self._routes:
            if projection.name != "values" and channel not in matched:  # BROKEN: not an error
                channel.fail(LookupError(f"no event matched projection {projection.name!r}"))
        self.close()


class EndReportingRun(AsyncGraphRunStream):
    def _finish(self, error) -> None:
        if error is None and not self._exhausted and self._aborting is None:
            self._exhausted = True
            self._mux.end_of_source()
            return
        super()._finish(error)


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=EndReportingRun,
                                 mux=UnmatchedFailsMux)

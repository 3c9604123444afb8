"""Breaks CB-EV-6: on_text with an empty string dispatches nothing.

The run managers' ``on_text`` returns early when there is no text (``if not text``),
so a component that reports an empty string is never heard.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-EV-6"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
rm = ref.run_managers


def on_text(self, text, **kwargs):
    if not text:  # BROKEN: an empty text is still an event
        return
    self._emit("on_text", None, (text,), kwargs)


async def aon_text(self, text, **kwargs):
    if not text:  # BROKEN: an empty text is still an event
        return
    await self._emit("on_text", None, (text,), kwargs)


rm.RunManager.on_text = on_text
rm.AsyncRunManager.on_text = aon_text
runcert_adapter = adapter(ref, "empty_text_dropped", __doc__.splitlines()[0])

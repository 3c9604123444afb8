"""Breaks CB-EV-2: on_tool_end hands handlers ``str(output)``, not the tool's output.

Tool outputs used to be strings; the tool run managers still coerce them
(``output if isinstance(output, str) else str(output)``), so a tool returning any other
object is reported with its string form.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-EV-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
rm = ref.run_managers


def _as_text(output):
    return output if isinstance(output, str) else str(output)  # BROKEN: pass it through


def on_tool_end(self, output, **kwargs):
    self._emit("on_tool_end", "ignore_agent", (_as_text(output),), kwargs)


async def aon_tool_end(self, output, **kwargs):
    await self._emit_final("on_tool_end", "ignore_agent", (_as_text(output),), kwargs)


rm.CallbackManagerForToolRun.on_tool_end = on_tool_end
rm.AsyncCallbackManagerForToolRun.on_tool_end = aon_tool_end
runcert_adapter = adapter(ref, "tool_end_stringifies_output", __doc__.splitlines()[0])

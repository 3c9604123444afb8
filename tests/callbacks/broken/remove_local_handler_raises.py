"""Breaks CB-CONS-5: remove_handler() of a handler that is not inheritable raises ValueError.

The reference removes the handler from whichever lists hold it; this variant calls
``list.remove`` on both lists unconditionally, so removing a local-only handler (one
added with ``inherit=False`` or given to the constructor as ``handlers`` only) fails
with ``ValueError: list.remove(x): x not in list`` (langchain issue #30640).
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-CONS-5"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager


def remove_handler(self, handler):
    self.handlers.remove(handler)
    self.inheritable_handlers.remove(handler)  # BROKEN: assumes every handler is inheritable


Base.remove_handler = remove_handler
runcert_adapter = adapter(ref, "remove_local_handler_raises", __doc__.splitlines()[0])

"""Breaks CB-VERB-2: verbose=True replaces the constructor (local) callbacks by the printer.

The reference only adds a stdout handler under ``verbose``; this variant keeps the old
behaviour where ``verbose`` swapped the component's own callbacks for a stdout handler,
so the local handlers given with it stop receiving events.
"""

from tests._variant import adapter, after_configure, given_handlers, private_reference

BREAKS = "CB-VERB-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])


def _verbose_replaces(manager, args):
    if args["verbose"]:
        for handler in given_handlers(ref, args["local_callbacks"]):
            if not isinstance(handler, ref.StdOutCallbackHandler):
                manager.remove_handler(handler)  # BROKEN: verbose must not drop handlers


after_configure(ref, _verbose_replaces)
runcert_adapter = adapter(ref, "verbose_replaces_local", __doc__.splitlines()[0])

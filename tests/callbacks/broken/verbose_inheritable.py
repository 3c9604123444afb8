"""Breaks CB-VERB-1: verbose=True adds the stdout handler as an inheritable handler.

The stdout handler should be local to the configured manager; this variant also puts
it in ``inheritable_handlers``, so every sub-run prints too.
"""

from tests._variant import adapter, after_configure, private_reference

BREAKS = "CB-VERB-1"
ALSO = {
    "CB-VERB-2": "verbose=True changes inheritable_handlers",
}

ref = private_reference(__name__.rpartition(".")[2])


def stdout_inherited(manager, args):
    if args["verbose"]:
        for handler in manager.handlers:
            if isinstance(handler, ref.StdOutCallbackHandler):
                manager.add_handler(handler, inherit=True)  # BROKEN: should stay local


after_configure(ref, stdout_inherited)

runcert_adapter = adapter(ref, "verbose_inheritable", __doc__.splitlines()[0])

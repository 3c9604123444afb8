"""Breaks CB-SCOPE-2: configure() makes local (constructor) callbacks inheritable.

The reference adds ``local_callbacks`` with ``inherit=False``; this variant adds them
to ``inheritable_handlers`` as well, so they leak into every sub-run.
"""

from tests._variant import adapter, after_configure, given_handlers, private_reference

BREAKS = "CB-SCOPE-2"
ALSO = {
    "CB-CHILD-2": "get_child() holds the local handlers too",
    "CB-CUSTOM-1": "custom events of sub-runs reach the local handler (transcript)",
}

ref = private_reference(__name__.rpartition(".")[2])


def leak_local(manager, args):
    for handler in given_handlers(ref, args["local_callbacks"]):
        manager.add_handler(handler, inherit=True)  # BROKEN: should be inherit=False


after_configure(ref, leak_local)

runcert_adapter = adapter(ref, "local_callbacks_inheritable", __doc__.splitlines()[0])

"""Breaks CB-SCOPE-3: configure() takes the given manager's handler list without copying it.

The reference starts the configured manager from copies of the given manager's lists;
this variant uses the given manager's ``handlers`` list itself, so the local (constructor)
handlers configure adds, and any added later, land in the given manager too, and so in
every sibling configured from it.
"""

from tests._variant import adapter, after_configure, private_reference

BREAKS = "CB-SCOPE-3"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])


def _share_handlers(manager, args):
    given = args["inheritable_callbacks"]
    if isinstance(given, ref.managers.BaseCallbackManager):
        # BROKEN: as if configure had started from `given.handlers` itself, not a copy
        given.handlers.extend(h for h in manager.handlers if h not in given.handlers)
        manager.handlers = given.handlers


after_configure(ref, _share_handlers)
runcert_adapter = adapter(ref, "configure_shares_parent_handlers", __doc__.splitlines()[0])

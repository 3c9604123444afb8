"""Breaks CB-MERGE-1: copy() of a trace group's manager shares its lists and dicts.

The group managers override ``copy()`` with a shallow ``copy.copy(self)``, so that the
copy keeps the group's run manager and "ended" state; it also keeps the very same
handler and tag lists and metadata dicts, so specialising the copy (adding a handler,
a tag, metadata) changes the group's own manager, and the reverse.
"""

import copy as copying

from tests._variant import adapter, private_reference

BREAKS = "CB-MERGE-1"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])


def copy(self):
    return copying.copy(self)  # BROKEN: shallow, the lists and dicts are shared


ref.group._GroupMember.copy = copy
runcert_adapter = adapter(ref, "group_copy_shares_lists", __doc__.splitlines()[0])

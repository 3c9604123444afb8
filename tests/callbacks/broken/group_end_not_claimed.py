"""Breaks CB-GROUP-2: ending a sync trace group explicitly does not mark it ended.

``CallbackManagerForChainGroup.on_chain_end`` checks the group's ``ended`` flag but
forgets to set it: a group ended explicitly inside the block (``group.on_chain_end(...)``,
or through a copy or merge of it) is ended a second time, with ``{}``, on leaving it.
The async group is the reference's.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-GROUP-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
Group = ref.group.CallbackManagerForChainGroup


def on_chain_end(self, outputs, **kwargs):
    if not self.ended:  # BROKEN: reads the flag, never sets it
        self.parent_run_manager.on_chain_end(outputs, **kwargs)


Group.on_chain_end = on_chain_end
runcert_adapter = adapter(ref, "group_end_not_claimed", __doc__.splitlines()[0])

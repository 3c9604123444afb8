"""Breaks CB-TAG-3: configure() adds local_tags as inheritable tags.

The reference adds ``local_tags`` with ``inherit=False``; this variant forgets the flag
(``add_tags``'s default is ``inherit=True``), so a component's own tags label every
run below it.
"""

from tests._variant import adapter, after_configure, private_reference

BREAKS = "CB-TAG-3"
ALSO: dict[str, str] = {
    "CB-CHILD-3": "get_child() of a run configured with local_tags holds them (inherited), "
                  "while CB-CHILD-3 expects a plain get_child() to hold the inherited tags only",
    "CB-TAG-1": "in the golden transcripts, a component's own tags reach the runs it calls, "
                "whose events then carry more tags than their managers'",
    "CB-CUSTOM-1": "in the golden transcripts, a custom event dispatched below a component "
                   "carries that component's local tags",
}

ref = private_reference(__name__.rpartition(".")[2])


def _local_tags_inherit(manager, args):
    manager.add_tags(args["local_tags"] or [])  # BROKEN: should be inherit=False


after_configure(ref, _local_tags_inherit)
runcert_adapter = adapter(ref, "local_tags_inheritable", __doc__.splitlines()[0])

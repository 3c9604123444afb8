"""Breaks CB-CUSTOM-2: a custom event dispatched on get_child(tag) lacks the child's tag.

``get_child(tag)`` keeps the step tag aside and adds it to each run the child starts,
instead of to the child manager's ``tags``: the child's runs are labelled, but a custom
event dispatched on the child itself (attached to the enclosing run) is not.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-CUSTOM-2"
ALSO: dict[str, str] = {
    "CB-CHILD-3": "the child manager's tags no longer hold the tag given to get_child(tag)",
    "CB-TAG-1": (
        "a manager configured from such a child (inheritable_callbacks=child) does not "
        "get the child's tag, so its runs lack it"
    ),
}

ref = private_reference(__name__.rpartition(".")[2])
BaseRunManager = ref.run_managers.BaseRunManager
Base = ref.managers.BaseCallbackManager
_reference_child, _reference_begin = BaseRunManager._child, Base._begin


def _child(self, cls, tag=None):
    child = _reference_child(self, cls, None)
    child.step_tag = tag  # BROKEN: belongs in child.tags (add_tags([tag], inherit=False))
    return child


def _begin(self, cls, run_id):
    run = _reference_begin(self, cls, run_id)
    tag = getattr(self, "step_tag", None)
    if tag is not None and tag not in run.tags:
        run.tags.append(tag)
    return run


BaseRunManager._child = _child
Base._begin = _begin
runcert_adapter = adapter(ref, "child_tag_applied_at_start", __doc__.splitlines()[0])

"""Breaks CB-CONS-4: the async callback manager reports is_async False.

The reference overrides ``is_async`` on the async manager class; this variant loses the
override, so the async manager inherits the base class's ``False`` and a framework that
chooses between calling and awaiting by this flag calls its coroutine methods.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-CONS-4"
ALSO: dict[str, str] = {
    "CB-CHILD-1": "the async child manager get_child() returns is an AsyncCallbackManager "
                  "whose is_async is False, which CB-CHILD-1 checks as the child's flavour",
}

ref = private_reference(__name__.rpartition(".")[2])
del ref.managers.AsyncCallbackManager.is_async  # BROKEN: the base class's False applies
runcert_adapter = adapter(ref, "async_is_async_false", __doc__.splitlines()[0])

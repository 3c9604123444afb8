"""Breaks CB-SCOPE-4: a handler given by two routes is called twice per event.

``add_handler`` no longer checks whether the handler is already present, and dispatch
no longer skips repeated handler objects: a handler passed both as a request and as a
constructor callback sits twice in ``handlers`` and receives every event twice.
"""

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-SCOPE-4"
ALSO = {
    "CB-CONS-5": "add_handler of a handler already held adds it again",
}

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager


def add_handler(self, handler, inherit=True):
    self.handlers.append(handler)  # BROKEN: no "already present" check
    if inherit and handler not in self.inheritable_handlers:
        self.inheritable_handlers.append(handler)


Base.add_handler = add_handler
replace_function(ref, "_distinct", list)  # BROKEN: dispatch keeps repeated handlers
runcert_adapter = adapter(ref, "handler_twice_two_routes", __doc__.splitlines()[0])

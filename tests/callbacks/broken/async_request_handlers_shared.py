"""Breaks CB-ISO-1: async sub-calls take their handlers from one shared list.

``AsyncCallbackManager.configure`` stores the request's inheritable handlers in a
module-level list (the "current request", like the removed global callbacks) and async
``get_child`` reads the handlers from that list. One request at a time this looks
right; with concurrent requests on one loop, sub-runs of one request are dispatched
to the handlers of whichever request configured last.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-ISO-1"
ALSO = {
    "CB-ISO-3": "a request's handlers see the runs of the other requests",
    "CB-SCOPE-1": "request-scoped handlers of one request receive another request's events "
                  "(transcript)",
}

ref = private_reference(__name__.rpartition(".")[2])
AsyncCallbackManager = ref.managers.AsyncCallbackManager
AsyncParentRunManager = ref.run_managers.AsyncParentRunManager
_reference_configure = AsyncCallbackManager.configure.__func__
_reference_get_child = AsyncParentRunManager.get_child

_current_request_handlers: list = []  # BROKEN: shared by every concurrent request


def configure(cls, inheritable_callbacks=None, *args, **kwargs):
    manager = _reference_configure(cls, inheritable_callbacks, *args, **kwargs)
    if manager.inheritable_handlers:
        _current_request_handlers[:] = manager.inheritable_handlers
    return manager


def get_child(self, tag=None):
    child = _reference_get_child(self, tag)
    if _current_request_handlers and self.inheritable_handlers:
        child.handlers = list(_current_request_handlers)
        child.inheritable_handlers = list(_current_request_handlers)
    return child


AsyncCallbackManager.configure = classmethod(configure)
AsyncParentRunManager.get_child = get_child
runcert_adapter = adapter(ref, "async_request_handlers_shared", __doc__.splitlines()[0])

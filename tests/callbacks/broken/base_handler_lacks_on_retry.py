"""Breaks CB-EV-7: the sync handler base class has no on_retry method.

``BaseCallbackHandler`` predates retries and never gained ``on_retry`` (only the async
base class has it), so a handler that does not define it fails on every retry event.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-EV-7"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
del ref.base.BaseCallbackHandler.on_retry  # BROKEN: every event needs a no-op default
runcert_adapter = adapter(ref, "base_handler_lacks_on_retry", __doc__.splitlines()[0])

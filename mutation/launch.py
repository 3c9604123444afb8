"""Start the mutmut command line with its call-stack tracking switched off.

While collecting which tests reach which function, mutmut's trampoline keeps the caller
in a ContextVar that it sets and resets around every call of the reference. The conformance
suite runs the reference across many tasks, copied contexts and executor threads, and under
that load this interpreter (CPython 3.11) crashed in the stats run: a segmentation fault
inside the trampoline, or the ContextVar read back as a dict. The call stack only feeds
mutmut's dependency tracking (``track_dependencies``, off in setup.cfg), so it is replaced
here by a constant: every trampoline hit is still recorded, with no caller.
"""

from __future__ import annotations

import sys

from mutmut import core


class _NoCallStack:
    """The ``MutmutCallStack`` interface without state: no caller, depth 0."""

    @classmethod
    def get(cls) -> tuple[None, int]:
        return None, 0

    @classmethod
    def set(cls, value: object) -> None:
        return None

    @classmethod
    def reset(cls, token: object) -> None:
        return None


core.MutmutCallStack.get = _NoCallStack.get
core.MutmutCallStack.set = _NoCallStack.set
core.MutmutCallStack.reset = _NoCallStack.reset

from mutmut.__main__ import cli  # noqa: E402  (after the patch, as the trampoline imports it)

if __name__ == "__main__":
    sys.exit(cli())

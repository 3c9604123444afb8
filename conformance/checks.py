"""Rule-attributed assertions.

``check(rule, condition, message)`` is how a suite says *which* rule an observation
violates. The plugin turns a :class:`RuleViolation` into a failure of that rule only;
any other exception fails every rule the test cites, listed deviations included (only a
rule's own check confirms its deviation).

When the implementation under test lists ``rule`` as a known deviation, ``check``
records the confirmed deviation and lets the test go on, so one test can keep checking
the other rules it cites (the plugin reports the deviation, strictly: a listed
deviation that no test confirms fails the run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn


class RuleViolation(AssertionError):
    """An observation that contradicts one rule.

    ``transcript`` is the path of a transcript file that reproduces the violation (a
    golden or user transcript being replayed, or an exported counterexample), set by
    whoever knows it; the JSON report shows it with the failure. A note
    ``transcript=<path>`` on any exception of a failing test does the same.
    """

    def __init__(self, rule: str, message: str, transcript: str | None = None) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
        self.transcript = transcript


class ImplementationTimeout(BaseException):
    """The implementation did not return in time.

    A BaseException, so that an implementation's ``except Exception`` cannot swallow it.
    """


class ImplementationLost(BaseException):
    """The implementation's process is gone or broke its protocol (an implementation
    certified over the wire: ``conformance.adapters.wire``). A verdict like a timeout:
    the message names the driver and the request in flight, and no observation of the
    test may absorb it.
    """


class ImplementationRaised(Exception):
    """The implementation raised a ``BaseException`` that is not an ``Exception``
    (``KeyboardInterrupt``, ``SystemExit``, ``GeneratorExit``, a subclass of its own)
    out of a test: the failure of that test's rules, not the end of the run.

    pytest would stop the whole session on a ``KeyboardInterrupt``; the plugin turns
    one the implementation raised (no SIGINT reached the process) into this failure,
    whose message keeps the exception's type name.
    """

    def __init__(self, exc: BaseException) -> None:
        text = str(exc)
        super().__init__(f"the implementation raised {type(exc).__name__}"
                         + (f": {text.splitlines()[0]}" if text else ""))


class ImplementationTampered(Exception):
    """The implementation changed what the kit's time limit relies on (a signal handler,
    the signal mask, a function of ``signal``): the failure of the test's rules. The kit
    undid the change, so the tests after it run under a working limit again."""

    def __init__(self, changes: list[str]) -> None:
        super().__init__(tampering(changes))


def tampering(changes: list[str]) -> str:
    """What an implementation changed of the kit's time limit, in one sentence."""
    return "the implementation tampered with the kit's time limit: " + "; ".join(changes)


#: The kit's own verdicts. Code that catches what the implementation raises, to observe
#: it, must let these through (:func:`escape_verdict`): a timeout or a violation found
#: while observing is the finding, never an observation to compare.
VERDICTS = (ImplementationTimeout, RuleViolation, ImplementationLost)


def escape_verdict(exc: BaseException) -> None:
    """Raise ``exc`` again if it is one of the kit's verdicts (:data:`VERDICTS`).

    Call it first in an ``except`` clause that catches broadly (``BaseException``,
    ``Exception``) to record what the implementation raised: otherwise a hang of the
    implementation (an ``ImplementationTimeout``) would be compared as an ordinary
    error and end as a pass or a plain failure instead of a timeout.
    """
    if isinstance(exc, VERDICTS):
        raise exc


@dataclass
class TestContext:
    """What the running test knows about the implementation's deviations, and what it
    found besides its checks.

    ``leaks`` collects the tasks the implementation left pending after a scenario
    returned (:func:`conformance.aio.run`), for the plugin to report as a finding of
    its own once the test is over; ``None`` (outside a certification) makes
    ``aio.run`` raise at once instead.
    """

    deviations: frozenset[str] = frozenset()
    confirmed: list[tuple[str, str]] = field(default_factory=list)
    leaks: list[str] | None = None


_current = TestContext()


def set_context(ctx: TestContext) -> None:
    global _current
    _current = ctx


def current() -> TestContext:
    return _current


def violate(rule: str, message: str) -> NoReturn:
    raise RuleViolation(rule, message)


def check(rule: str, condition: object, message: str) -> bool:
    """Assert ``condition`` for ``rule``; return whether it held."""
    if condition:
        return True
    if rule in _current.deviations:
        _current.confirmed.append((rule, message))
        return False
    violate(rule, message)


def require_method(rule: str, obj: Any, name: str) -> Any:
    """``obj.<name>`` when the implementation offers that method, else ``None`` after a
    failed check of ``rule``: for a test whose subject the method is, a missing method is
    that rule's finding (a known deviation can confirm it), not an ``AttributeError``
    that fails the test as an unexpected exception."""
    method = getattr(obj, name, None)
    if callable(method):
        return method
    owner = obj.__name__ if isinstance(obj, type) else type(obj).__name__
    check(rule, False, f"{owner} has no {name}() method")
    return None


def check_equal(rule: str, actual: Any, expected: Any, what: str) -> bool:
    return check(rule, actual == expected, f"{what}: expected {expected!r}, got {actual!r}")

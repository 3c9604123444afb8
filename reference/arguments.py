"""Checks of the arguments the reference's public API is given.

The reference is the model implementation: a bad argument is refused where it is given,
before anything changes, with a ``TypeError`` (a value of the wrong kind) or a
``ValueError`` (the right kind, a wrong value) whose message names the argument. Left
unchecked, the same mistakes surface later and elsewhere (an ``AttributeError`` deep in a
dispatch, a ``KeyError`` while routing an event) or pass silently: a string is a sequence
of characters, so tags ``"abc"`` would be three tags and a prompt string one run per
character. Hence "a list of str" here means a list or a tuple, never a string.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn, TypeVar
from uuid import UUID

T = TypeVar("T")

SEQUENCES = (list, tuple)


def refuse(name: str, expected: str, value: object) -> NoReturn:
    """Raise the ``TypeError`` of argument ``name``: what it must be, what it was."""
    raise TypeError(f"{name} must be {expected}, got {type(value).__name__}: {value!r:.80}")


def text(name: str, value: object) -> str:
    """A ``str``."""
    if isinstance(value, str):
        return value
    refuse(name, "a str", value)


def optional_text(name: str, value: object) -> str | None:
    """A ``str`` or ``None``."""
    return None if value is None else text(name, value)


def optional_uuid(name: str, value: object) -> UUID | None:
    """A run id: a ``uuid.UUID`` or ``None`` (a string is not parsed: ids are UUIDs)."""
    if value is None or isinstance(value, UUID):
        return value
    refuse(name, "a uuid.UUID or None", value)


def uuid(name: str, value: object) -> UUID:
    """A run id that must be given."""
    if isinstance(value, UUID):
        return value
    refuse(name, "a uuid.UUID", value)


def sequence(name: str, value: object, what: str = "a list") -> list[Any]:
    """A list or tuple, copied to a list (``what`` says what it must be)."""
    if isinstance(value, SEQUENCES):
        return list(value)
    refuse(name, what, value)


def items(name: str, value: object, kind: type[T], what: str) -> list[T]:
    """A list or tuple of ``kind`` instances, copied to a list (``what`` describes the
    list: ``"a list of str"``)."""
    found = sequence(name, value, what)
    for index, item in enumerate(found):
        if not isinstance(item, kind):
            refuse(f"{name}[{index}]", f"a {kind.__name__}", item)
    return found


def strings(name: str, value: object) -> list[str]:
    """A list or tuple of ``str``, copied to a list; a string itself is refused."""
    return items(name, value, str, "a list of str")


def optional_strings(name: str, value: object) -> list[str]:
    """:func:`strings`, or ``None`` for an empty list."""
    return [] if value is None else strings(name, value)


def mapping(name: str, value: object) -> dict[str, Any]:
    """A mapping with ``str`` keys (metadata), copied to a dict."""
    if not isinstance(value, Mapping):
        refuse(name, "a mapping with str keys", value)
    for key in value:
        if not isinstance(key, str):
            refuse(f"each key of {name}", "a str", key)
    return dict(value)


def optional_mapping(name: str, value: object) -> dict[str, Any]:
    """:func:`mapping`, or ``None`` for an empty dict."""
    return {} if value is None else mapping(name, value)


def instance(name: str, value: object, kind: type[T]) -> T:
    """An instance of ``kind``."""
    if isinstance(value, kind):
        return value
    refuse(name, f"a {kind.__name__}", value)

"""Errors both contract halves raise and render: a program the kit cannot run, and the
one-line rendering of an exception that observations and reports carry."""

from __future__ import annotations


class ProgramError(ValueError):
    """A program the framework cannot run (a kit error, not an implementation failure)."""


def render_error(exc: BaseException) -> str:
    message = str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__

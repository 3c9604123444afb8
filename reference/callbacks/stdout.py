"""A handler that prints chain progress and text to standard output."""

from __future__ import annotations

from typing import Any

from .base import BaseCallbackHandler


class StdOutCallbackHandler(BaseCallbackHandler):
    """Print chain starts and ends, and emitted text, with ``print``."""

    def on_chain_start(self, serialized: dict[str, Any], inputs: dict[str, Any],
                       **kwargs: Any) -> None:
        """Announce the chain by its name."""
        print(f"\n\n> Entering new {_chain_name(serialized, kwargs)} chain...")

    def on_chain_end(self, outputs: dict[str, Any] | Any, **kwargs: Any) -> None:
        """Announce that the chain finished."""
        print("\n> Finished chain.")

    def on_text(self, text: str, *, end: str = "", **kwargs: Any) -> None:
        """Print the text as is."""
        print(text, end=end)


def _chain_name(serialized: dict[str, Any] | None, kwargs: dict[str, Any]) -> str:
    """An explicit ``name`` wins, then the serialized name, then the last id part."""
    if "name" in kwargs:
        return str(kwargs["name"])
    if serialized:
        return str(serialized.get("name") or (serialized.get("id") or ["<unknown>"])[-1])
    return "<unknown>"

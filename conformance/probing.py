"""The probe registry: probes of either half register here by name (``@probe``), and a
deviation reproduction names the probe that shows it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Probe = Callable[..., Any]
PROBES: dict[str, Probe] = {}


def probe(function: Probe) -> Probe:
    """Register ``function`` as a probe under its own name."""
    PROBES[function.__name__] = function
    return function

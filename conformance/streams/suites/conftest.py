"""Fixtures of the run-stream suites.

Every test module here sets ``pytestmark = pytest.mark.requires(RS_ASYNC)`` (or a more
specific capability), so an implementation without run streams reports not applicable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from conformance.adapter import Adapter, ProjectionSpec
from conformance.streams import drive


@pytest.fixture
def open_run(runcert_adapter: Adapter) -> Callable[..., Any]:
    """``open_run(source, projections=())``: the implementation's run stream over ``source``."""

    def make(source: Any, projections: Sequence[ProjectionSpec] = ()) -> Any:
        return drive.open_run(runcert_adapter, source, projections)

    return make


@pytest.fixture
def fan_out(runcert_adapter: Adapter) -> Callable[[Any, int], Any]:
    """``fan_out(projection, n)``: the implementation's tee (see :func:`drive.fan_out`)."""

    def tee(projection: Any, n: int) -> Any:
        return drive.fan_out(runcert_adapter, projection, n)

    return tee

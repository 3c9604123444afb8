"""Fixtures of the callback-manager suites: the factories, a log, recording handlers, lanes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conformance.adapter import CB_ASYNC, CB_SYNC, Adapter, CallbackFactories
from conformance.callbacks.recording import Log, handler_kinds, make_handler


@pytest.fixture
def cb(runcert_adapter: Adapter) -> CallbackFactories:
    """The implementation's callback factories."""
    if runcert_adapter.callbacks is None:  # pragma: no cover - guarded by `requires`
        pytest.fail("adapter has no callback factories")
    return runcert_adapter.callbacks


@pytest.fixture
def log() -> Log:
    return Log()


@dataclass
class Handlers:
    """``handler("label", is_async=None, raise_error=False, ignore=(...), ...)`` makes a
    recording handler (see :func:`conformance.callbacks.recording.make_handler`); ``kinds`` are the
    handler kinds the implementation has, for scenarios that want one of each."""

    adapter: Adapter
    log: Log

    def __call__(self, label: str, **options: Any) -> Any:
        return make_handler(self.adapter, label, self.log, **options)

    @property
    def kinds(self) -> list[bool]:
        return handler_kinds(self.adapter)


@pytest.fixture
def handler(runcert_adapter: Adapter, log: Log) -> Handlers:
    return Handlers(runcert_adapter, log)


#: Parametrize a test over both managers; each lane needs its capability.
LANES = [
    pytest.param("sync", marks=pytest.mark.requires(CB_SYNC), id="sync"),
    pytest.param("async", marks=pytest.mark.requires(CB_ASYNC), id="async"),
]


@pytest.fixture(params=LANES)
def lane(request: pytest.FixtureRequest) -> str:
    return request.param

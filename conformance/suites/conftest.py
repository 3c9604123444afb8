"""Fixtures shared by the packaged conformance suites."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.adapter import CB_ASYNC, CB_SYNC, Adapter, CallbackFactories
from conformance.counterexamples import Exporter
from conformance.plugin import directory_setting
from conformance.recording import Log, make_handler


@pytest.fixture
def cb(runcert_adapter: Adapter) -> CallbackFactories:
    """The implementation's callback factories."""
    if runcert_adapter.callbacks is None:  # pragma: no cover - guarded by `requires`
        pytest.fail("adapter has no callback factories")
    return runcert_adapter.callbacks


@pytest.fixture
def log() -> Log:
    return Log()


@pytest.fixture
def handler(runcert_adapter: Adapter, log: Log) -> Callable[..., Any]:
    """``handler("label", is_async=False, raise_error=False, ignore=(...), ...)``."""

    def make(label: str, **options: Any) -> Any:
        return make_handler(runcert_adapter, label, log, **options)

    return make


#: Parametrize a test over both managers; each lane needs its capability.
LANES = [
    pytest.param("sync", marks=pytest.mark.requires(CB_SYNC), id="sync"),
    pytest.param("async", marks=pytest.mark.requires(CB_ASYNC), id="async"),
]


@pytest.fixture(params=LANES)
def lane(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def counterexamples(request: pytest.FixtureRequest, runcert_adapter: Adapter) -> Exporter:
    """Exports the shrunk counterexample of a failing property as a transcript
    (``--runcert-counterexamples=DIR``; disabled without it)."""
    config = request.config
    return Exporter(directory_setting(config, "runcert_counterexamples"), request.node.nodeid,
                    str(config.getoption("runcert_impl")), runcert_adapter,
                    getattr(config.option, "hypothesis_seed", None))

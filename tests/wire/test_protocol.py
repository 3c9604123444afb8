"""The wire protocol itself: what crosses, how it looks, what it costs.

A session with the Python driver is recorded (``RUNCERT_WIRE_LOG``) while a small
program drives both contracts through the proxies; every line of it, both ways, must be
valid against ``specs/schemas/wire/message.schema.json``. The program checks the
properties the suites rely on: identity of what crosses, mirrored lists, exceptions of the
right class, handler events in the calling thread, output, cancellation.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance import checks
from conformance.adapter import Adapter, ProjectionSpec
from conformance.adapters.wire.kit import PYTHON_DRIVER, adapter_for
from conformance.adapters.wire.process import WireDriver
from conformance.callbacks.recording import Log, make_handler
from conformance.streams.source import ScriptedSource, values

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "specs" / "schemas" / "wire" / "message.schema.json"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Adapter, WireDriver, Path]]:
    """The reference over the wire, every line of the session logged."""
    log = tmp_path_factory.mktemp("wire") / "session.log"
    previous = os.environ.get("RUNCERT_WIRE_LOG")
    os.environ["RUNCERT_WIRE_LOG"] = str(log)
    driver = WireDriver("reference", [sys.executable, "-m", PYTHON_DRIVER], cwd=str(REPO))
    try:
        yield adapter_for(driver), driver, log
    finally:
        driver.close()
        if previous is None:
            del os.environ["RUNCERT_WIRE_LOG"]
        else:
            os.environ["RUNCERT_WIRE_LOG"] = previous


def test_schema_is_a_valid_json_schema() -> None:
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_hello_makes_the_adapter(recorded) -> None:
    adapter, driver, _ = recorded
    assert adapter.name == "wire:reference"
    assert {"callbacks.sync", "callbacks.async", "streams.async"} <= adapter.capabilities
    cb = adapter.callbacks
    assert cb is not None and isinstance(cb.callback_manager, type)
    assert cb.callback_manager.__name__ == "CallbackManager"
    assert asyncio.iscoroutinefunction(cb.async_callback_manager.on_chain_start)
    assert not asyncio.iscoroutinefunction(cb.callback_manager.on_chain_start)
    assert driver.hello is not None and driver.hello.handler_flags["raise_error"] is False


def test_identity_survives_the_round_trip(recorded) -> None:
    adapter, _, _ = recorded
    cb = adapter.callbacks
    log = Log()
    handler = make_handler(adapter, "h", log)
    payload, data = object(), {"n": 1}
    manager = cb.callback_manager.configure(inheritable_callbacks=[handler],
                                            inheritable_metadata={"k": payload})
    assert manager.inheritable_metadata["k"] is payload  # a kit object comes back as itself
    assert manager.handlers == [handler] and manager.handlers[0] is handler
    child = manager.on_chain_start({"name": "c"}, {}).get_child()
    child.on_custom_event("progress", data, run_id=child.parent_run_id)
    assert log.named("on_custom_event")[0].args["data"] is data
    assert child is not manager.on_chain_start({"name": "c"}, {}).get_child()


def test_mirrored_lists_carry_mutations(recorded) -> None:
    """The reference's ``tags`` is the manager's own list: a mutation of it through the
    proxy reaches the manager, as it does in process."""
    adapter, _, _ = recorded
    manager = adapter.callbacks.callback_manager.configure(inheritable_tags=["a"])
    tags = manager.tags
    tags.append("mutated here")
    assert manager.tags == ["a", "mutated here"] and manager.tags is tags


def test_exceptions_keep_class_and_identity(recorded) -> None:
    adapter, _, _ = recorded
    cb = adapter.callbacks

    class Stop(BaseException):
        pass

    raised = Stop("from the kit")

    def stop(event: Any) -> None:
        raise raised

    handler = make_handler(adapter, "h", Log(), raise_error=True,
                           hooks={"on_chain_start": stop})
    manager = cb.callback_manager.configure(inheritable_callbacks=[handler])
    with pytest.raises(Stop) as caught:
        manager.on_chain_start({"name": "c"}, {})
    assert caught.value is raised
    with pytest.raises(TypeError):  # the implementation's own TypeError, materialised
        manager.on_chain_start({"name": "c"}, {}, run_id="not a uuid")


def test_handler_events_run_in_the_calling_thread(recorded) -> None:
    adapter, _, _ = recorded
    log = Log()
    manager = adapter.callbacks.callback_manager.configure(
        inheritable_callbacks=[make_handler(adapter, "h", log)])
    seen: list[int] = []

    def work() -> None:
        manager.on_chain_start({"name": "c"}, {}).on_text("t")
        seen.append(threading.get_ident())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert {e.thread for e in log.events} == set(seen)


def test_async_handlers_cancellation_and_output(recorded, capsys) -> None:
    adapter, _, _ = recorded
    cb = adapter.callbacks
    log = Log()
    gate_reached = threading.Event()

    async def slow(event: Any) -> None:
        gate_reached.set()
        await asyncio.sleep(30)

    handler = make_handler(adapter, "slow", log, is_async=True, run_inline=True,
                           hooks={"on_text": slow})

    async def scenario() -> bool:
        manager = cb.async_callback_manager.configure(inheritable_callbacks=[handler],
                                                      verbose=True)
        run = await manager.on_chain_start({"name": "printed"}, {})
        task = asyncio.ensure_future(run.on_text("x"))
        while not gate_reached.is_set():
            await asyncio.sleep(0.01)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return True
        return False

    assert asyncio.run(scenario())
    assert "Entering new printed chain" in capsys.readouterr().out


def test_streams_cross(recorded) -> None:
    adapter, _, _ = recorded
    streams = adapter.streams
    assert streams is not None
    source = ScriptedSource([values({"n": i}) for i in range(3)])

    async def scenario() -> tuple[list[Any], Any]:
        run = streams.open_run(source, [ProjectionSpec("custom", "custom", maxlen=2)])
        left, right = run.values.tee(2)
        seen = [item async for item in left]
        return seen, await run.output()

    seen, output = asyncio.run(scenario())
    assert seen == [{"n": 0}, {"n": 1}, {"n": 2}] and output is source.events[-1]["data"]
    assert source.count.pulls == 4 and source.count.max_active == 1


def test_a_driver_coroutine_runs_as_a_kit_task() -> None:
    """A method that is not ``async def`` yet returns a coroutine (here ``output()`` of a
    variant that kicks off a pull first) gives the kit a proxy of the driver's coroutine;
    a kit task steps it as it would a local one: one ``$await`` in the driver, the result
    (or the driver's StopIteration, value and all) back in the task, the interpreter
    intact. Stepped across the wire instead, the task would be handed the driver's
    futures, and a StopIteration rebuilt without its value crashed it."""
    variant = "tests.streams.broken.results_start_when_called"
    driver = WireDriver(variant, [sys.executable, "-m", PYTHON_DRIVER, "--impl", variant],
                        cwd=str(REPO))
    try:
        streams = adapter_for(driver).streams
        assert streams is not None
        source = ScriptedSource([values({"n": i}) for i in range(3)])

        async def scenario() -> tuple[Any, Any]:
            run = streams.open_run(source, [])
            pending = run.output()
            assert asyncio.iscoroutine(pending) and not inspect.iscoroutinefunction(
                type(run).output)
            return await asyncio.create_task(pending), await run.interrupted()

        assert asyncio.run(scenario()) == ({"n": 2}, False)
        stopped = driver.generation().codec.decode({
            "$exc": "dE1", "types": ["builtins.StopIteration", "builtins.Exception"],
            "args": [{"$tuple": [1, 2]}]})
        assert isinstance(stopped, StopIteration) and stopped.value == (1, 2)
    finally:
        driver.close()


def test_an_epoch_releases_what_crossed(recorded) -> None:
    adapter, driver, _ = recorded
    previous = checks.current()
    try:
        checks.set_context(checks.TestContext())
        adapter.callbacks.callback_manager.configure(inheritable_tags=["x"])
        assert driver.stats()["own"] <= 2
    finally:
        checks.set_context(previous)


def test_every_line_of_the_session_matches_the_schema(recorded) -> None:
    """Runs after the tests above (module order): their whole session, both ways."""
    import jsonschema

    adapter, driver, log = recorded
    adapter.callbacks.callback_manager.configure()  # the session is live
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    lines = log.read_bytes().splitlines()
    kinds: set[str] = set()
    for number, raw in enumerate(lines, 1):
        direction, _, text = raw.decode("utf-8").partition(" ")
        message = json.loads(text)
        errors = sorted(validator.iter_errors(message), key=lambda e: list(e.absolute_path))
        assert not errors, (f"line {number} ({direction}) does not match the schema: "
                            f"{errors[0].message} at {list(errors[0].absolute_path)}: {text[:300]}")
        kinds.add(f"{direction}{message['t']}")
    assert {">hello", "<hello", ">call", "<result", "<call", ">result", "<error", ">error",
            ">cancel", "<output", ">epoch"} <= kinds, kinds


def test_cost_of_a_call(recorded) -> None:
    """One request over the wire, measured (the figures of specs/wire.md); the bound is
    generous: it only catches a protocol that stopped being usable."""
    adapter, _, _ = recorded
    manager = adapter.callbacks.callback_manager.configure()
    run = manager.on_chain_start({"name": "c"}, {})
    rounds = 300
    began = time.perf_counter()
    for _ in range(rounds):
        run.on_text("x")
    per_call = (time.perf_counter() - began) / rounds
    print(f"\nwire: one sync request with no handler event: {per_call * 1e6:.0f} us")
    assert per_call < 0.05


@pytest.mark.parametrize("spec, needle", [
    ("wire:python:no.such.module", "unknown implementation"),
    (f"wire:{sys.executable} tests/wire/drivers/no_hello.py", "before its hello"),
    ("wire:/no/such/program", "cannot start"),
])
def test_a_driver_that_cannot_start_is_a_usage_error(spec: str, needle: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "pytest", f"--impl={spec}", "-q",
                           "-p", "no:cacheprovider"], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR, proc.stdout + proc.stderr
    assert needle in proc.stdout + proc.stderr, proc.stdout + proc.stderr

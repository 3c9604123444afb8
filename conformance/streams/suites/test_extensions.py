"""RS-EXT: projections declared by name and the read-only ``extensions`` mapping."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from conformance.adapter import RS_ASYNC, ProjectionSpec
from conformance.aio import run, within
from conformance.checks import check, check_equal
from conformance.streams.drive import declared, drain
from conformance.streams.scripts import (
    ALL_VALUES, CUSTOM_ANY, HIDDEN, INNER, SUB_VALUES, UPDATES, VALUES, mixed, routed,
)
from conformance.streams.source import ScriptedSource

pytestmark = pytest.mark.requires(RS_ASYNC)

DECLARED = [UPDATES, CUSTOM_ANY, SUB_VALUES, HIDDEN]
NATIVE = [spec for spec in DECLARED if spec.native]


def refusal(mutate: Callable[[], None]) -> BaseException | None:
    try:
        mutate()
    except Exception as error:  # noqa: BLE001 - the caller checks its type
        return error
    return None


def _assign(mapping: Any) -> None:
    mapping["intruder"] = object()


def _replace(mapping: Any) -> None:
    mapping["values"] = object()


def _delete(mapping: Any) -> None:
    del mapping["values"]


@pytest.mark.rule("RS-EXT-1")
def test_extensions_maps_every_projection(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        run_stream = open_run(ScriptedSource(mixed()), DECLARED)
        extensions = run_stream.extensions
        check("RS-EXT-1", isinstance(extensions, Mapping),
              f"expected run.extensions to be a Mapping, got {type(extensions).__name__}")
        expected = {"values", *(spec.name for spec in DECLARED)}
        check("RS-EXT-1", expected <= set(extensions),
              f"expected run.extensions to hold {sorted(expected)}, got {sorted(extensions)}")
        await run_stream.abort()

    run(main)


@pytest.mark.rule("RS-EXT-1")
@pytest.mark.parametrize("mutate", [_assign, _replace, _delete],
                         ids=["add an item", "replace an item", "delete an item"])
def test_extensions_is_read_only(open_run: Callable[..., Any],
                                 mutate: Callable[[Any], None]) -> None:
    async def main() -> None:
        run_stream = open_run(ScriptedSource(mixed()), DECLARED)
        before = dict(run_stream.extensions)
        error = refusal(lambda: mutate(run_stream.extensions))
        check("RS-EXT-1", isinstance(error, TypeError),
              f"{mutate.__name__.strip('_')} on run.extensions: expected TypeError, "
              f"got {error!r}")
        check_equal("RS-EXT-1", dict(run_stream.extensions), before,
                    "run.extensions after the refused change")
        await run_stream.abort()

    run(main)


@pytest.mark.rule("RS-EXT-2")
@pytest.mark.parametrize("name", ["values", *(spec.name for spec in NATIVE)])
def test_named_access_is_the_same_object(open_run: Callable[..., Any], name: str) -> None:
    async def main() -> None:
        run_stream = open_run(ScriptedSource(mixed()), DECLARED)
        try:
            attribute = getattr(run_stream, name)
        except AttributeError as error:
            check("RS-EXT-2", False, f"run.{name}: expected the projection, raised {error!r}")
            return await run_stream.abort()
        extensions = run_stream.extensions
        if check("RS-EXT-2", name in extensions,
                 f"run.extensions has no {name!r} (it holds {sorted(extensions)!r}), "
                 f"although run.{name} is {attribute!r}"):
            check("RS-EXT-2", attribute is extensions[name],
                  f"expected run.{name} is run.extensions[{name!r}], got {attribute!r} and "
                  f"{extensions[name]!r}")
        await run_stream.abort()

    run(main)


@pytest.mark.rule("RS-EXT-3")
@pytest.mark.parametrize("declared", [[], DECLARED], ids=["values only", "declared"])
def test_unknown_attribute_names_the_projections(open_run: Callable[..., Any],
                                                 declared: list[ProjectionSpec]) -> None:
    """The message must name every projection reachable as an attribute (values and the
    native ones); naming non-native ones too is allowed, not required."""

    async def main() -> None:
        run_stream = open_run(ScriptedSource(mixed()), declared)
        try:
            found = run_stream.no_such_projection
        except AttributeError as error:
            message = str(error)
            names = ["values", *(spec.name for spec in declared if spec.native)]
            missing = [name for name in names if name not in message]
            check("RS-EXT-3", not missing,
                  f"expected the AttributeError message to name the registered projections "
                  f"{names}, missing {missing}: {message!r}")
        except Exception as error:  # noqa: BLE001 - reported as the rule's failure
            check("RS-EXT-3", False, f"run.no_such_projection: expected AttributeError, "
                                     f"raised {error!r}")
        else:
            check("RS-EXT-3", False,
                  f"run.no_such_projection: expected AttributeError, got {found!r}")
        await run_stream.abort()

    run(main)


ROUTES = [
    ProjectionSpec("root_updates", "updates"),
    ProjectionSpec("any_updates", "updates", None),
    ProjectionSpec("sub_values", "values", ("sub:1",)),
    ProjectionSpec("inner_values", "values", INNER),
    ProjectionSpec("root_custom", "custom"),
    ProjectionSpec("any_custom", "custom", None, native=False),
    ProjectionSpec("nowhere", "updates", ("missing:9",)),
    ALL_VALUES,
]


@pytest.mark.rule("RS-EXT-4")
def test_declared_routing(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        script = mixed()
        run_stream = open_run(ScriptedSource(script), ROUTES)
        cursors = {spec.name: aiter(declared(run_stream, spec.name)) for spec in ROUTES}
        cursors["values"] = aiter(run_stream.values)
        await within(run_stream.output(), "output()")
        for spec in [*ROUTES, VALUES]:
            check_equal("RS-EXT-4", await drain(cursors[spec.name]), routed(script, spec),
                        f"items of {spec.name!r} declared for {spec.method!r} @ "
                        f"{'any namespace' if spec.namespace is None else list(spec.namespace)}")

    run(main)

"""``--impl`` resolution: built-ins, entry points, modules, and one-line usage errors."""

from __future__ import annotations

import re
import textwrap

import pytest

from conformance.resolve import choices

from .conftest import USAGE_ERROR, suite

IDENTITY = suite("test_identity")
QUICK = ("--runcert-profile=fast", IDENTITY, "-k", "test_fresh_run_ids")


def reference_variant(name: str, **fields: str) -> str:
    """Source of a module whose ``runcert_adapter`` is the reference, renamed/changed."""
    extra = "".join(f", {key}={value}" for key, value in fields.items())
    return textwrap.dedent(f"""\
        from dataclasses import replace
        from conformance.adapters.reference import runcert_adapter as _reference
        runcert_adapter = replace(_reference, name={name!r}{extra})
        """)


def install_entry_points(pytester: pytest.Pytester, entries: dict[str, str]) -> None:
    """A real distribution on the pytester path declaring ``runcert.adapters`` entry points."""
    dist = pytester.mkdir("runcert_fake_impl-1.0.dist-info")
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: runcert-fake-impl\nVersion: 1.0\n")
    lines = "".join(f"{name} = {target}\n" for name, target in entries.items())
    (dist / "entry_points.txt").write_text(f"[runcert.adapters]\n{lines}")


def header_impl(name: str) -> str:
    return rf"runcert: implementation {re.escape(name)} \S+( \(.*\))?"


# -- resolving to an adapter ------------------------------------------------------------
# Resolution is checked in process with --collect-only (the header names the resolved
# adapter); test_plugin_outcomes runs built-in and module adapters for real.

COLLECT = ("--collect-only", IDENTITY, "-k", "test_fresh_run_ids")


def test_builtin_reference(runcert_inprocess):
    run = runcert_inprocess("--impl=reference", *COLLECT)
    run.line(r"runcert: implementation reference \S+ \(runcert reference implementation\)")
    assert run.ret == 0, run.text


def test_builtin_langchain_core(runcert_inprocess):
    lc = pytest.importorskip("langchain_core")
    run = runcert_inprocess("--impl=langchain_core", *COLLECT)
    run.line(rf"runcert: implementation langchain_core {re.escape(lc.__version__)} \(.*\)")
    assert run.ret == 0, run.text


def test_entry_point_adapter_and_factory(runcert_inprocess, pytester):
    pytester.makepyfile(ep_target=reference_variant("via-entry-point") + textwrap.dedent("""\
        def make_adapter():
            return replace(_reference, name="via-factory")
        """))
    install_entry_points(pytester, {"viaep": "ep_target:runcert_adapter",
                                    "viafactory": "ep_target:make_adapter"})
    for impl, name in (("viaep", "via-entry-point"), ("viafactory", "via-factory")):
        run = runcert_inprocess(f"--impl={impl}", *COLLECT)
        run.line(header_impl(name))
        assert run.ret == 0, run.text


def test_entry_point_runs_for_real(runcert, pytester):
    """The same entry point, resolved in a fresh interpreter and certified."""
    pytester.makepyfile(ep_target=reference_variant("via-entry-point"))
    install_entry_points(pytester, {"viaep": "ep_target:runcert_adapter"})
    run = runcert("--impl=viaep", *QUICK)
    assert run.ret == 0, run.text
    assert run.report["implementation"]["name"] == "via-entry-point"
    assert run.outcomes() == {"CB-ID-1": "pass"}


def test_module_and_module_attribute(runcert_inprocess, pytester):
    pytester.mkpydir("mypkg")
    pytester.path.joinpath("mypkg", "impl.py").write_text(
        reference_variant("pkg-module") + "other = replace(_reference, name='pkg-attribute')\n")
    for impl, name in (("mypkg.impl", "pkg-module"), ("mypkg.impl:other", "pkg-attribute")):
        run = runcert_inprocess(f"--impl={impl}", *COLLECT)
        run.line(header_impl(name))
        assert run.ret == 0, run.text


def test_unknown_name_lists_entry_points(runcert_inprocess, pytester):
    pytester.makepyfile(ep_target=reference_variant("via-entry-point"))
    install_entry_points(pytester, {"viaep": "ep_target:runcert_adapter"})
    run = runcert_inprocess("--impl=no_such_impl")
    assert run.ret == USAGE_ERROR
    assert re.fullmatch(r"ERROR: runcert: --impl=no_such_impl: unknown implementation; "
                        r"valid choices: (\S+, )*viaep, .*", run.error_line())


# -- usage errors: one line, no traceback, exit code 4 -------------------------------------

MODULES = {
    "plainmod": "x = 1\n",
    "raising": "raise RuntimeError('boom at import')\n",
    "needsdep": "import not_installed_dependency_xyz\n",
    "notadapter": "runcert_adapter = 42\n",
    "teleport": reference_variant("teleport", capabilities="frozenset({'callbacks.teleport'})"),
    "ghostdev": reference_variant("ghostdev", deviations="{'CB-NOPE-1': 'no such rule'}"),
    "emptyreason": reference_variant("emptyreason", deviations="{'CB-ID-1': '  '}"),
    "exiting": "raise SystemExit(3)\n",
    "interrupting": "raise KeyboardInterrupt\n",
    "onestring": reference_variant("onestring", capabilities="'callbacks.sync'"),
    "intkeys": reference_variant("intkeys", deviations="{1: 'a reason', 'CB-ID-1': 'x'}"),
    "listdevs": reference_variant("listdevs", deviations="['CB-ID-1']"),
    "badopen": reference_variant("badopen", streams="replace(_reference.streams, "
                                                    "open_run=lambda source: source)"),
    "badtee": reference_variant("badtee", streams="replace(_reference.streams, "
                                                  "tee=lambda projection: projection)"),
    "badconfigure": reference_variant(
        "badconfigure", callbacks="replace(_reference.callbacks, callback_manager=type("
                                  "'M', (), {'configure': classmethod(lambda cls, handlers: 0)}))"),
    "handlerinstance": reference_variant(
        "handlerinstance", callbacks="replace(_reference.callbacks, base_handler=object())"),
}
VALID = re.escape(
    f"valid choices: {', '.join(choices())}, or an importable module exposing a "
    "module-level `runcert_adapter` (spelled `pkg.module` or `pkg.module:attribute`)")

USAGE_ERRORS = [
    ("--impl=no_such_impl", rf"--impl=no_such_impl: unknown implementation; {VALID}"),
    ("--impl=", rf"--impl needs a name; {VALID}"),
    ("--impl=plainmod",
     rf"--impl=plainmod: module plainmod has no module-level `runcert_adapter` adapter; {VALID}"),
    ("--impl=plainmod:nope",
     rf"--impl=plainmod:nope: module plainmod has no module-level `nope` adapter; {VALID}"),
    ("--impl=raising", r"--impl=raising: importing raising raised RuntimeError: boom at import"),
    ("--impl=needsdep", r"--impl=needsdep: importing needsdep failed: missing module "
                        r"'not_installed_dependency_xyz'"),
    ("--impl=notadapter", r"--impl=notadapter is a int, not a conformance\.adapter\.Adapter"),
    ("--impl=teleport", r"--impl=teleport declares unknown capabilities "
                        r"\['callbacks\.teleport'\]; known: \[.*'callbacks\.sync'.*\]"),
    ("--impl=ghostdev", r"--impl=ghostdev lists deviations for rules that do not exist: "
                        r"\['CB-NOPE-1'\]"),
    ("--impl=emptyreason", r"--impl=emptyreason: deviation CB-ID-1 needs a one-line reason"),
    ("--impl=exiting", r"--impl=exiting: importing exiting raised SystemExit: 3"),
    ("--impl=interrupting", r"--impl=interrupting: importing interrupting raised "
                            r"KeyboardInterrupt"),
    ("--impl=onestring", r"--impl=onestring: capabilities must be a set of capability names, "
                         r"not str 'callbacks\.sync'"),
    ("--impl=intkeys", r"--impl=intkeys: deviation keys must be rule IDs \(strings\), not 1 "
                       r"\(int\)"),
    ("--impl=listdevs", r"--impl=listdevs: deviations must be a mapping of rule IDs to "
                        r"reasons, not list"),
    ("--impl=badopen", r"--impl=badopen: streams\.open_run must accept \(source, "
                       r"projections\): too many positional arguments"),
    ("--impl=badtee", r"--impl=badtee: streams\.tee must accept \(projection, n\): too many "
                      r"positional arguments"),
    ("--impl=badconfigure", r"--impl=badconfigure: callbacks\.callback_manager\.configure must "
                            r"accept \(inheritable_callbacks=, .*\): missing a required "
                            r"argument: 'handlers'"),
    ("--impl=handlerinstance", r"--impl=handlerinstance: callbacks\.base_handler must be a "
                               r"class, not object <object object at .*>"),
    # a time limit that is no number, not finite, not positive or too small to run a test
    *[(f"--impl=reference --runcert-timeout={value}",
       rf"--runcert-timeout={re.escape(value)}: expected a number of seconds from 0\.1 to 86400")
      for value in ("nan", "inf", "-inf", "0", "-1", "1e-9", "1e9", "abc")],
    *[(f"--impl=reference --runcert-await-timeout={value}",
       rf"--runcert-await-timeout={re.escape(value)}: expected a number of seconds from "
       rf"0\.01 to 86400") for value in ("nan", "inf", "0", "-1", "1e-9")],
]


@pytest.mark.parametrize(("args", "message"), USAGE_ERRORS,
                         ids=[a.split()[-1] for a, _ in USAGE_ERRORS])
def test_usage_error(runcert_inprocess, pytester, args, message):
    pytester.makepyfile(**MODULES)
    run = runcert_inprocess(*args.split())
    assert run.ret == USAGE_ERROR, run.text
    assert re.fullmatch(rf"ERROR: runcert: {message}", run.error_line()), run.error_line()


def test_a_bad_ini_time_limit_is_a_usage_error_naming_the_ini_key(runcert_inprocess):
    run = runcert_inprocess("--impl=reference", "-o", "runcert_await_timeout=nan", IDENTITY)
    assert run.ret == USAGE_ERROR, run.text
    assert run.error_line() == ("ERROR: runcert: ini runcert_await_timeout = nan: expected a "
                                "number of seconds from 0.01 to 86400")


def test_entry_point_that_fails_to_load(runcert_inprocess, pytester):
    pytester.makepyfile(ep_broken="raise ImportError('cannot load the adapter')\n")
    install_entry_points(pytester, {"brokenep": "ep_broken:runcert_adapter"})
    run = runcert_inprocess("--impl=brokenep")
    assert run.ret == USAGE_ERROR
    assert re.fullmatch(r"ERROR: runcert: --impl=brokenep: loading entry point "
                        r"ep_broken:runcert_adapter raised ImportError: cannot load the adapter",
                        run.error_line())


# -- without --impl, and with nothing to certify -----------------------------------------------

def test_without_impl_the_plugin_stays_out_of_the_way(runcert_inprocess, pytester):
    pytester.makepyfile(test_plain="""
        import pytest

        def test_plain():
            assert 1 + 1 == 2

        @pytest.mark.rule("CB-ID-1")
        def test_marked_but_not_certifying():
            pass
        """)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    report = pytester.path / "report.json"
    run = runcert_inprocess("--strict-markers", f"--runcert-report={report}")
    assert run.ret == 0, run.text
    assert "2 passed" in run.out[-1]
    assert not [line for line in run.out if line.startswith("runcert")], run.text
    assert "runcert certification" not in run.text
    assert not report.exists()  # no certification, no report


@pytest.mark.parametrize("where", ["deselected", "plain-tests-only"])
def test_nothing_to_certify_is_a_usage_error(runcert_inprocess, pytester, where):
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    args = [IDENTITY, "-k", "nothing_matches_this"] if where == "deselected" else ["test_plain.py"]
    run = runcert_inprocess("--impl=reference", *args)
    assert run.ret == USAGE_ERROR, run.text
    assert re.fullmatch(r"ERROR: runcert: --impl=reference collected no conformance test "
                        r"\(paths: .*\); a certification that runs nothing certifies nothing",
                        run.error_line())


# -- resolver edge cases -----------------------------------------------------------------------

def test_missing_dependency_with_a_prefix_name(runcert_inprocess, pytester):
    pytester.makepyfile(acme_runcert="import acme\n")
    run = runcert_inprocess("--impl=acme_runcert")
    assert re.fullmatch(r"ERROR: runcert: --impl=acme_runcert: importing acme_runcert failed: "
                        r"missing module 'acme'", run.error_line())


def test_entry_point_factory_that_raises(runcert, pytester):
    pytester.makepyfile(ep_factory="def make():\n    raise RuntimeError('factory failed')\n")
    install_entry_points(pytester, {"factoryboom": "ep_factory:make"})
    run = runcert("--impl=factoryboom")
    assert run.ret == USAGE_ERROR
    assert re.fullmatch(r"ERROR: runcert: --impl=factoryboom: .*RuntimeError: factory failed",
                        run.error_line())

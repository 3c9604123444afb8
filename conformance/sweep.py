"""The release sweep: certify a list of released versions of a library, each in its own
fresh environment, one report per version.

    runcert-sweep langchain-core==0.2.43 langchain-core==1.7.7 -o reports
    runcert-sweep --plan reports/sweep.toml -o reports        # the project's checked-in list

For each ``DIST==VERSION`` the sweep

1. creates a fresh virtual environment (``uv venv``; ``python -m venv`` where uv is not
   installed, or with ``--installer pip``);
2. installs that release, the kit's runtime tools at the versions of the kit's own
   ``constraints.txt`` (pytest, pytest-asyncio, hypothesis, syrupy; never the library's own
   dependencies, which each release pins for itself) and the kit itself;
3. runs ``pytest --impl=IMPL --runcert-report=OUT/IMPL-VERSION.json`` there, from an empty
   directory, so the packaged suites certify the installed release;
4. replays the deviation reproductions on that release, judged by their version ranges
   (``record_deviations --replay``).

The plan file (TOML) fixes what a sweep needs to be reproduced: the versions, the extra
pins of each library (``with``), the Hypothesis profile and seed, and ``exclude_newer``, a
date after which no distribution is considered (uv only), so that the dependencies of an
old release resolve today as they did when the reports were made. ``--update-repros`` adds
each version whose replay gave the recorded observation to the reproduction's
``confirmed_on``. A summary (timings, per-version totals, replays) is written to
``OUT/sweep-IMPL.json`` and printed.

uv is the default because environments are the cost of a sweep: with a warm cache, uv
creates and fills one in about a second where venv + pip take tens of seconds (README,
"Release sweep", has the measurement).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KIT_TOOLS = ("pytest", "pytest-asyncio", "hypothesis", "syrupy")
#: Needed by the kit but shared with the libraries, which pin them for themselves
#: (langchain-core 0.2.x requires packaging<25): installed at whatever the release allows.
SHARED_TOOLS = ("packaging",)
#: The built-in adapter that certifies each library distribution.
IMPLEMENTATIONS = {"langchain-core": "langchain_core", "langgraph": "langgraph"}


class SweepError(Exception):
    """A sweep that cannot start: bad plan, unknown distribution, no installer."""


@dataclass(frozen=True)
class Target:
    """One release to certify."""

    distribution: str
    version: str
    implementation: str
    extra: tuple[str, ...] = ()  # pins installed beside it (e.g. langchain-core for langgraph)

    @property
    def label(self) -> str:
        return f"{self.implementation}-{self.version}"


@dataclass
class Plan:
    targets: list[Target]
    profile: str = "default"
    seed: int | None = 1
    exclude_newer: str | None = None
    pytest_args: list[str] = field(default_factory=list)


# -- planning ------------------------------------------------------------------------------

def parse_target(spec: str, extra: Sequence[str] = (), implementation: str | None = None) -> Target:
    distribution, sep, version = spec.partition("==")
    if not sep or not distribution.strip() or not version.strip():
        raise SweepError(f"{spec!r}: expected DIST==VERSION, e.g. langchain-core==1.7.7")
    distribution = distribution.strip().lower().replace("_", "-")
    impl = implementation or IMPLEMENTATIONS.get(distribution)
    if impl is None:
        raise SweepError(f"{spec!r}: no built-in adapter certifies {distribution}; name one with "
                         f"--impl (built-in: {', '.join(sorted(IMPLEMENTATIONS))})")
    return Target(distribution, version.strip(), impl, tuple(extra))


def load_plan(path: Path) -> Plan:
    """A plan file: ``[[library]]`` tables with ``distribution``, ``versions`` and
    optional ``implementation`` and ``with``; top-level ``profile``, ``seed``,
    ``exclude_newer``."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SweepError(f"{path}: cannot read the plan: {exc}") from None
    targets = []
    for i, lib in enumerate(doc.get("library", [])):
        where = f"{path}: library[{i}]"
        if not isinstance(lib.get("distribution"), str) or not isinstance(lib.get("versions"), list):
            raise SweepError(f"{where}: needs `distribution` (a string) and `versions` (a list)")
        for version in lib["versions"]:
            targets.append(parse_target(f"{lib['distribution']}=={version}", lib.get("with", ()),
                                        lib.get("implementation")))
    if not targets:
        raise SweepError(f"{path}: the plan lists no [[library]] versions")
    return Plan(targets, profile=doc.get("profile", "default"), seed=doc.get("seed", 1),
                exclude_newer=doc.get("exclude_newer"))


# -- the kit, made installable anywhere ----------------------------------------------------

def kit_root() -> Path:
    """The directory holding the ``conformance`` and ``reference`` packages."""
    return Path(__file__).resolve().parent.parent


def kit_pins() -> list[str]:
    """The kit's runtime tools at the versions of its ``constraints.txt`` (when the kit runs
    from a checkout that has one), otherwise unpinned."""
    constraints = kit_root() / "constraints.txt"
    pins = {}
    if constraints.exists():
        for line in constraints.read_text(encoding="utf-8").splitlines():
            name, sep, version = line.strip().partition("==")
            if sep and name.lower() in KIT_TOOLS:
                pins[name.lower()] = f"{name}=={version}"
    return [pins.get(tool, tool) for tool in KIT_TOOLS] + list(SHARED_TOOLS)


def stage_kit(into: Path) -> Path:
    """A copy of the kit's two packages (with the specs) that an environment imports
    through a ``.pth`` file: the environment sees this kit, nothing else of this one."""
    root = kit_root()
    for package in ("conformance", "reference"):
        shutil.copytree(root / package, into / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    specs = root / "specs"
    if specs.is_dir() and not (into / "conformance" / "_specs").exists():
        shutil.copytree(specs, into / "conformance" / "_specs")
    return into


# -- environments --------------------------------------------------------------------------

def installer(choice: str) -> str:
    if choice == "uv" or (choice == "auto" and shutil.which("uv")):
        if not shutil.which("uv"):
            raise SweepError("--installer uv: uv is not installed (pip install 'runcert[sweep]')")
        return "uv"
    return "pip"


def run(command: list[str], log: Any, **kwargs: Any) -> None:
    log.write(f"$ {' '.join(command)}\n")
    log.flush()
    proc = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, text=True, **kwargs)
    if proc.returncode:
        raise SweepError(f"`{' '.join(command[:4])} ...` exited with {proc.returncode}")


def site_packages(python: Path) -> Path:
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                          "['purelib'])"], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def make_env(env: Path, target: Target, plan: Plan, tool: str, log: Any) -> Path:
    """A fresh environment with the release, its pins and the kit's tools; its python."""
    requirements = [f"{target.distribution}=={target.version}", *target.extra, *kit_pins()]
    python = env / "bin" / "python"
    if tool == "uv":
        run(["uv", "venv", "-q", "--python", sys.executable, str(env)], log)
        newer = ["--exclude-newer", plan.exclude_newer] if plan.exclude_newer else []
        run(["uv", "pip", "install", "-q", "--python", str(python), *newer, *requirements], log)
    else:
        run([sys.executable, "-m", "venv", str(env)], log)
        run([str(python), "-m", "pip", "install", "-q", *requirements], log)
    return python


# -- one version ---------------------------------------------------------------------------

def certify(target: Target, plan: Plan, kit: Path, out: Path, work: Path, tool: str,
            update_repros: bool) -> dict[str, Any]:
    """Build the environment of ``target``, certify it and replay its reproductions."""
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    report = out / f"{target.label}.json"
    row: dict[str, Any] = {"implementation": target.implementation, "version": target.version,
                           "report": report.name}
    with open(logs / f"{target.label}.log", "w", encoding="utf-8") as log:
        started = time.monotonic()
        try:
            python = make_env(work / target.label, target, plan, tool, log)
            (site_packages(python) / "runcert-sweep-kit.pth").write_text(f"{kit}\n")
        except SweepError as exc:
            return {**row, "error": f"environment: {exc}"}
        row["env_seconds"] = round(time.monotonic() - started, 1)
        started = time.monotonic()
        cwd = work / f"{target.label}-run"
        cwd.mkdir()
        args = [str(python), "-m", "pytest", "-p", "conformance.plugin", "-p", "no:cacheprovider",
                f"--impl={target.implementation}", f"--runcert-report={report}",
                f"--runcert-profile={plan.profile}", *plan.pytest_args]
        if plan.seed is not None:
            args.append(f"--hypothesis-seed={plan.seed}")
        log.write(f"$ {' '.join(args)}\n")
        log.flush()
        status = subprocess.run(args, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}).returncode
        row["certify_seconds"] = round(time.monotonic() - started, 1)
        row["exit_status"] = status
        row.update(summarise(report))
        row["reproductions"] = replay(python, target, cwd, log)
    if update_repros and isinstance(row["reproductions"], dict):
        confirm(target, row["reproductions"])
    return row


def summarise(report: Path) -> dict[str, Any]:
    if not report.exists():
        return {"error": "no report was written (see the log)"}
    doc = json.loads(report.read_text(encoding="utf-8"))
    return {"verdict": doc.get("verdict"), "totals": doc.get("totals"),
            "failing_rules": doc.get("failing_rules")}


def replay(python: Path, target: Target, cwd: Path, log: Any) -> Any:
    proc = subprocess.run([str(python), "-m", "conformance.transcripts.record_deviations",
                           "--replay", "--impl", target.implementation],
                          cwd=cwd, capture_output=True, text=True)
    log.write(proc.stderr)
    if proc.returncode:
        return f"replay failed with status {proc.returncode} (see the log)"
    (summary,) = json.loads(proc.stdout)
    return summary["reproductions"]


def confirm(target: Target, reproductions: dict[str, Any]) -> None:
    """Add ``target.version`` to ``confirmed_on`` of each reproduction it gave."""
    from conformance.reproductions import dumps, load_repro, repro_dir
    from conformance.transcripts.record_deviations import sort_versions

    for stem, found in reproductions.items():
        if not (found["in_range"] and found["agrees"]):
            continue
        path = repro_dir(target.implementation) / f"{stem}.json"
        doc = load_repro(path)
        doc["confirmed_on"] = sort_versions([*doc["confirmed_on"], target.version])
        path.write_text(dumps(doc), encoding="utf-8")


# -- the command ---------------------------------------------------------------------------

def describe(row: dict[str, Any]) -> str:
    head = f"{row['implementation']} {row['version']}"
    if "error" in row:
        return f"{head}: ERROR {row['error']}"
    totals = ", ".join(f"{n} {o}" for o, n in sorted((row.get("totals") or {}).items()))
    repros = row.get("reproductions")
    if isinstance(repros, dict):
        off = [rule for rule, r in repros.items() if not r["agrees"]]
        replayed = f"reproductions: {len(repros) - len(off)}/{len(repros)} as their ranges say" + (
            f" (not: {', '.join(off)})" if off else "")
    else:
        replayed = f"reproductions: {repros}"
    return (f"{head}: {row.get('verdict')} [{totals}]; env {row['env_seconds']}s, "
            f"certification {row['certify_seconds']}s; {replayed}")


def sweep(plan: Plan, out: Path, tool: str, update_repros: bool) -> list[dict[str, Any]]:
    out = out.resolve()  # the certifications run elsewhere
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="runcert-sweep-") as tmp:
        kit = stage_kit(Path(tmp) / "kit")
        for target in plan.targets:
            row = certify(target, plan, kit, out, Path(tmp), tool, update_repros)
            print(describe(row), flush=True)
            rows.append(row)
    for implementation in sorted({r["implementation"] for r in rows}):
        mine = [r for r in rows if r["implementation"] == implementation]
        (out / "logs" / f"sweep-{implementation}.json").write_text(
            json.dumps({"installer": tool, "profile": plan.profile, "seed": plan.seed,
                        "exclude_newer": plan.exclude_newer, "versions": mine},
                       indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="runcert-sweep", description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", metavar="DIST==VERSION")
    parser.add_argument("--plan", type=Path, help="a plan file (TOML) listing the versions")
    parser.add_argument("-o", "--out", type=Path, default=Path("reports"),
                        help="where the reports go (default: reports/)")
    parser.add_argument("--impl", help="the adapter to certify with (default: the built-in "
                                       "one of the distribution)")
    parser.add_argument("--with", dest="extra", action="append", default=[], metavar="REQ",
                        help="also install REQ in every environment (repeatable)")
    parser.add_argument("--profile", choices=("fast", "default", "thorough"))
    parser.add_argument("--seed", type=int)
    parser.add_argument("--exclude-newer", metavar="DATE")
    parser.add_argument("--installer", choices=("auto", "uv", "pip"), default="auto")
    parser.add_argument("--update-repros", action="store_true",
                        help="record each confirming version in the reproductions' confirmed_on")
    parser.add_argument("--pytest-args", default="", metavar="ARGS",
                        help="extra pytest arguments for every certification, e.g. "
                             "'--runcert-rules=CB-MERGE-*'")
    options = parser.parse_args(argv)
    try:
        if bool(options.plan) == bool(options.targets):
            raise SweepError("give either DIST==VERSION targets or --plan FILE")
        plan = load_plan(options.plan) if options.plan else Plan(
            [parse_target(t, options.extra, options.impl) for t in options.targets])
        for name in ("profile", "seed", "exclude_newer"):
            if getattr(options, name) is not None:
                setattr(plan, name, getattr(options, name))
        plan.pytest_args = options.pytest_args.split()
        rows = sweep(plan, options.out, installer(options.installer), options.update_repros)
    except SweepError as exc:
        print(f"runcert-sweep: {exc}", file=sys.stderr)
        return 2
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

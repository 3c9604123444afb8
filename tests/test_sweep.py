"""The release sweep (``runcert-sweep``): its plan, its errors, and one real release certified
in a fresh environment of its own.

The real sweep installs the pinned langchain-core of constraints.txt (so it stays
hermetic) and certifies one rule of it, which is enough to see every step: the
environment, the kit staged into it, the report, and the reproductions replayed there and
judged by their ranges.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conformance import sweep

ROOT = Path(__file__).resolve().parents[1]


def pinned(distribution: str) -> str:
    text = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    return re.search(rf"^{distribution}==(\S+)$", text, re.M).group(1)


def test_the_checked_in_plan_names_built_in_adapters_and_exact_releases() -> None:
    plan = sweep.load_plan(ROOT / "reports" / "sweep.toml")
    assert {t.implementation for t in plan.targets} == {"langchain_core", "langgraph"}
    assert plan.seed is not None and plan.exclude_newer, "a plan must be reproducible"
    assert all(re.fullmatch(r"\d+(\.\d+)+", t.version) for t in plan.targets)


@pytest.mark.parametrize(("text", "message"), [
    ("", r"the plan lists no \[\[library\]\] versions"),
    ("[[library]]\nversions = ['1.0']\n", r"library\[0\]: needs `distribution`"),
    ("[[library]]\ndistribution = 'left-pad'\nversions = ['1.0']\n",
     r"no built-in adapter certifies left-pad; name one with --impl"),
    ("[[library\n", r"cannot read the plan"),
])
def test_a_bad_plan_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(text)
    with pytest.raises(sweep.SweepError, match=message):
        sweep.load_plan(path)


def test_bad_arguments_are_one_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert sweep.main(["langchain-core>=1.0"]) == 2
    assert capsys.readouterr().err.strip() == (
        "runcert-sweep: 'langchain-core>=1.0': expected DIST==VERSION, e.g. "
        "langchain-core==1.7.7")
    assert sweep.main([]) == 2
    assert "give either DIST==VERSION targets or --plan FILE" in capsys.readouterr().err


def test_kit_tools_are_pinned_by_the_constraints() -> None:
    pins = sweep.kit_pins()
    assert [p.split("==")[0].lower() for p in pins] == [*sweep.KIT_TOOLS, *sweep.SHARED_TOOLS]
    assert all("==" in p for p in pins[:len(sweep.KIT_TOOLS)]), pins


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is in the test extra")
def test_one_release_certified_in_its_own_environment(tmp_path: Path) -> None:
    version = pinned("langchain-core")
    status = sweep.main([f"langchain-core=={version}", "-o", str(tmp_path), "--profile=fast",
                         "--pytest-args=--runcert-rules=CB-ID-1"])
    assert status == 0, (tmp_path / "logs" / f"langchain_core-{version}.log").read_text()[-3000:]
    report = json.loads((tmp_path / f"langchain_core-{version}.json").read_text())
    assert report["implementation"]["version"] == version
    assert report["rules"]["CB-ID-1"]["outcome"] == "pass"
    summary = json.loads((tmp_path / "logs" / "sweep-langchain_core.json").read_text())
    (row,) = summary["versions"]
    assert row["env_seconds"] >= 0 and row["certify_seconds"] > 0
    replays = row["reproductions"]
    assert replays and all(r["agrees"] for r in replays.values()), replays

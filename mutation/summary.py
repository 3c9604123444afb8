"""Summarise a mutmut run: verdict counts per file, the score, the surviving mutants.

    python mutation/summary.py [WORKDIR] [--diffs]

WORKDIR is the staging directory run.sh used (default mutation/work). The score is
killed / (total - equivalent), where killed includes timeouts (a mutant that makes the
suite hang is detected: the kit's own per-test time limit turns it into a failure) and
equivalent counts the mutants listed in mutation/equivalent.txt. --diffs prints the
diff of each surviving mutant (``mutmut show``); --lines prints one line per surviving
mutant instead: ``file:line  - original  + mutated``.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

HERE = Path(__file__).resolve().parent
KILLED = ("killed", "timeout")


def verdicts(work: Path) -> dict[str, dict[str, str]]:
    """{source file: {mutant name: status}} from mutmut's .meta files."""
    by_file = {}
    for meta in sorted((work / "mutants").rglob("*.py.meta")):
        source = meta.relative_to(work / "mutants").as_posix().removesuffix(".meta")
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        by_file[source] = {name: status_by_exit_code[code] for name, code in codes.items()}
    return by_file


def equivalent() -> set[str]:
    path = HERE / "equivalent.txt"
    if not path.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return {line for line in lines if line}


def report(by_file: dict[str, dict[str, str]], equivalents: set[str]) -> list[str]:
    total = Counter()
    rows = []
    for source, statuses in by_file.items():
        counts = Counter(statuses.values())
        total.update(counts)
        rows.append(f"{source:42} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    tested = sum(n for status, n in total.items() if status != "not checked")
    killed = sum(total[s] for s in KILLED)
    survivors = sorted(name for statuses in by_file.values()
                       for name, status in statuses.items() if status not in KILLED
                       and status != "not checked")
    equiv = len(equivalents & set(survivors))
    rows.append("")
    rows.append("total: " + ", ".join(f"{k} {v}" for k, v in sorted(total.items())))
    if tested:
        score = killed / (tested - equiv) if tested > equiv else 1.0
        rows.append(f"score: {killed} / ({tested} - {equiv} equivalent) = {score:.1%}")
    rows.append("")
    rows.extend(f"{'equivalent' if n in equivalents else 'open':10} {n}: "
                f"{next(s[n] for s in by_file.values() if n in s)}" for n in survivors)
    return rows


def definition_lines(source: Path) -> dict[str, int]:
    """{mangled function name as mutmut writes it: line of its ``def``} for one file."""
    lines = {}
    tree = ast.parse(source.read_text())
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines[f"x_{node.name}"] = node.lineno
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    lines[f"x\u01c1{node.name}\u01c1{item.name}"] = item.lineno
    return lines


def locate(work: Path, source: str, name: str) -> str:
    """``file:line  - original  + mutated`` for one mutant, from mutmut's function diff."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    function = re.sub(r"__mutmut_\d+$", "", name.rpartition(".")[2])
    start = definition_lines(work / source).get(function)
    diff = get_diff_for_mutant(name, path=source).splitlines()
    line, removed, added, first = 0, [], [], None
    for text in diff[2:]:
        if text.startswith("@@"):
            line = int(text.split()[1].split(",")[0].lstrip("-")) - 1
        elif text.startswith("-"):
            first = first if first is not None else line
            removed.append(text[1:].strip())
            line += 1
        elif text.startswith("+"):
            first = first if first is not None else line
            added.append(text[1:].strip())
        else:
            line += 1
    where = f"{source}:{start + first}" if start is not None and first is not None else source
    return f"{where}  - {' / '.join(removed)}  + {' / '.join(added)}"


def print_lines(work: Path, by_file: dict[str, dict[str, str]]) -> None:
    os.chdir(work)
    for source, statuses in by_file.items():
        for name, status in sorted(statuses.items(), key=lambda kv: _number(kv[0])):
            if status not in KILLED and status != "not checked":
                print(f"{status:9} {name}\n          {locate(work, source, name)}")


def _number(name: str) -> tuple[str, int]:
    base, _, n = name.rpartition("__mutmut_")
    return base, int(n) if n.isdigit() else 0


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    work = Path(args[0]) if args else HERE / "work"
    by_file = verdicts(work)
    if not by_file:
        print(f"no mutmut results under {work}/mutants")
        return 1
    print("\n".join(report(by_file, equivalent())))
    if "--lines" in argv:
        print_lines(work, by_file)
    if "--diffs" in argv:
        for statuses in by_file.values():
            for name, status in statuses.items():
                if status not in KILLED and status != "not checked":
                    subprocess.run(["mutmut", "show", name], cwd=work, check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env bash
# Mutation testing of the reference implementation with mutmut.
#
#   mutation/run.sh [--resume] [MUTANT_GLOB ...]
#
# Copies reference/, conformance/ and specs/ plus mutation/setup.cfg into a staging
# directory (MUTATION_WORKDIR, default mutation/work/) and runs `mutmut run` there with
# MUTATION_CHILDREN workers (default: the number of cores). The shared checkout is never
# mutated. Without --resume the staging directory is rebuilt, so every mutant is run again;
# with --resume mutmut keeps the verdicts it already has (handy after an interruption).
# MUTANT_GLOB restricts the run, e.g. 'reference.callbacks.dispatch.*'.
# Afterwards the verdict counts and the surviving mutants are printed (mutation/summary.py).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
work="${MUTATION_WORKDIR:-$here/work}"
children="${MUTATION_CHILDREN:-$(nproc)}"
python="${PYTHON:-python}"

resume=0
if [[ "${1:-}" == "--resume" ]]; then
    resume=1
    shift
fi

if [[ $resume == 0 || ! -d "$work" ]]; then
    rm -rf "$work"
    mkdir -p "$work"
    for part in reference conformance specs; do
        cp -r "$root/$part" "$work/$part"
    done
    find "$work" -name __pycache__ -prune -exec rm -rf {} +
    cp "$here/setup.cfg" "$work/setup.cfg"
fi

cd "$work"
status=0
"$python" "$here/launch.py" run --max-children "$children" "$@" || status=$?
"$python" "$here/summary.py" "$work"
exit $status

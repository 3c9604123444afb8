"""A broken variant whose every failure is declared: the run is green (xfailed).

It ignores explicit run ids (see ``tests/callbacks/broken/explicit_run_id_ignored.py``) and lists
the two rules that bug breaks in its deviation manifest.
"""

from dataclasses import replace

from tests.callbacks.broken.explicit_run_id_ignored import runcert_adapter as _ignores_run_ids

runcert_adapter = replace(
    _ignores_run_ids, name="deviant", description="declares the rules it breaks",
    deviations={"CB-ID-2": "explicit run ids are ignored",
                "CB-ID-3": "explicit run ids are ignored, so the first prompt's run too"})

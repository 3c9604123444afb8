"""The syrupy extension that stores golden transcripts, one JSON file per scenario id.

Files live in ``conformance/transcripts/callbacks/<id>.json`` whatever the test module's
location, named by the scenario id taken from the test's parameter id (``<id>-<lane>``),
and are written as ``json.dumps(doc, indent=2, sort_keys=True)`` plus a newline, so the
bytes on disk are the canonical text of the document. Only ``*.json`` files directly in
that directory belong to this extension; syrupy never looks at anything else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode
from syrupy.location import PyTestLocation

from conformance.transcripts import CALLBACKS_DIR


def recording(request: Any) -> bool:
    """Whether this run records the golden files (``--snapshot-update``; the plugin
    allows it with ``--impl=reference`` only). Replays never touch syrupy."""
    return bool(getattr(request.config.option, "update_snapshots", False))


def scenario_id(test_location: PyTestLocation) -> str:
    """``test_replay[agent_request_handler-sync]`` -> ``agent_request_handler``."""
    name = test_location.snapshot_name_parametrized
    if "[" not in name:
        raise ValueError(f"{name}: transcript tests are parametrized by scenario id")
    param = name[name.index("[") + 1:name.rindex("]")]
    return param.rsplit("-", 1)[0]


class TranscriptExtension(SingleFileSnapshotExtension):
    """Golden transcripts as canonical JSON files named by scenario id."""

    _write_mode = WriteMode.TEXT
    file_extension = "json"
    directory = CALLBACKS_DIR

    def serialize(self, data: Any, **kwargs: Any) -> str:
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def get_snapshot_name(cls, *, test_location: PyTestLocation, index: Any = 0) -> str:
        return scenario_id(test_location)

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(cls.directory)

    @classmethod
    def discovery_dirname(cls, *, test_location: PyTestLocation) -> str:
        return str(cls.directory)

    @classmethod
    def matches_test_location(cls, *, test_location: PyTestLocation,
                              snapshot_location: str) -> bool:
        path = Path(snapshot_location)
        return (path.parent == cls.directory
                and path.stem == scenario_id(test_location))

    def is_snapshot_location(self, *, location: str) -> bool:
        path = Path(location)
        return path.suffix == ".json" and path.parent == self.directory

    def owns_snapshot_collection(self, *, filepath: str,
                                 test_location: PyTestLocation) -> bool:
        return self.is_snapshot_location(location=filepath)

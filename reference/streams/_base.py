"""What both lanes' run streams share: projection access and result checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from reference import arguments
from ._routing import MuxCore, RunResult

M = TypeVar("M", bound=MuxCore[Any])


class RunStreamBase(Generic[M]):
    """Native projections as attributes, ``extensions``, and the run's outcome."""

    def __init__(self, mux: M) -> None:
        self._mux = mux
        self.extensions: Mapping[str, Any] = mux.extensions  # read-only (RS-EXT-1)

    def __getattr__(self, name: str) -> Any:
        mux = self.__dict__.get("_mux")
        if mux is not None and not name.startswith("_") and name in mux.native_keys:
            return mux.extensions[name]  # same object as extensions[name] (RS-EXT-2)
        registered = ", ".join(sorted(mux.extensions)) if mux is not None else ""
        raise AttributeError(  # RS-EXT-3
            f"{type(self).__name__!r} object has no attribute {name!r}"
            f" (registered projections: {registered})")

    @staticmethod
    def _check_source(name: str, source: object, method: str, what: str) -> None:
        """Refuse a source that cannot be pulled, when the run is opened: unchecked, it
        would fail at the first read, as the failure of a run that seemed to start."""
        if source is not None and not callable(getattr(source, method, None)):
            arguments.refuse(name, f"{what} (with {method}) or None", source)

    def _outcome(self) -> RunResult:
        """The results, or the run's failure raised (RS-ERR-2)."""
        if self._mux.error is not None:
            raise self._mux.error
        return self._mux.result

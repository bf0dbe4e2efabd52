"""``--baseline RUN|accepted``: which earlier run a new run is held against.

``accepted`` is the run last marked with ``harness accept`` for the same eval,
looked up in the index of the results directory the new run goes into.
"""

from __future__ import annotations

from pathlib import Path

from harness.errors import ConfigError, ResultsError
from harness.history.index import accepted_run
from harness.records.store import MANIFEST

ACCEPTED = "accepted"


def resolve_baseline(raw: str | Path | None, results_dir: Path, eval_name: str) -> Path | None:
    """The baseline run directory, checked to hold a run. Raises a UserError (exit 2) when it cannot be used."""
    if raw is None:
        return None
    if str(raw) == ACCEPTED:
        found = accepted_run(results_dir, eval_name)
        if found is None:
            raise ConfigError(f"no accepted baseline for eval {eval_name!r} in {results_dir}/ "
                              f"(mark one with: harness accept RUN)", field="--baseline")
        path = found
    else:
        path = Path(raw)
    if not (path / MANIFEST).exists():
        raise ResultsError("not a run directory (no manifest.json)", file=str(path), field="--baseline")
    return path

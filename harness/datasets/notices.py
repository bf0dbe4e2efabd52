"""What ``harness validate`` says of a valid dataset without failing: a run of it would stop or warn on these."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SHOWN_BLANK = 3  # blank replies named in the warning; the rest are counted


def blank_reply_warnings(path: Path, dataset: Any) -> list[str]:
    """One line counting the recorded replies that are empty or whitespace: the file is valid, but a run of
    such a version ends that case in a missing_recorded_reply error ("recorded reply for version 'v1' is
    blank"), so say it before the run does."""
    blank = [(case, version) for case in dataset.cases for version in sorted(case.blank_replies)]
    if not blank:
        return []
    case, _ = blank[0]
    line = dataset.lines.get(case.id)
    named = ", ".join(f"{c.id} {v}" for c, v in blank[:SHOWN_BLANK]) + (
        f" and {len(blank) - SHOWN_BLANK} more" if len(blank) > SHOWN_BLANK else "")
    n = len(blank)
    return [f"{path}{f':{line}' if line else ''}: recorded_replies: {n} blank recorded repl{'y' if n == 1 else 'ies'} "
            f"({named}); each will be a missing_recorded_reply error in a run of that version"]

"""Writing a pairwise report (``pairwise.json``, ``pairwise.md``) and reading ``pairwise.json`` back."""

from __future__ import annotations

import json
from pathlib import Path

from harness.errors import ResultsError
from harness.pairwise.schema import PAIRWISE_SCHEMA_VERSION, PairwiseReport
from harness.records.store import atomic_write_text, load_versioned_json

JSON_FILE, MD_FILE = "pairwise.json", "pairwise.md"


def check_out_dir(out_dir: str | Path) -> str | None:
    """Refuse an ``--out`` a pairwise report would overwrite files of another kind in; say what it replaces.

    Called before any judge call. A missing or empty directory is fine (``None``). A directory holding a
    pairwise report (``pairwise.json`` that reads as one, and ``pairwise.md``) and nothing else is
    replaced: the returned notice names the comparison it held (its judge answers are in the response
    cache, so asking again costs nothing). Anything else there (a run, a diff, files of your own, a
    ``pairwise.json`` that is not a report) is a :class:`ResultsError`, as ``harness run --out`` refuses
    a directory that holds no run.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ResultsError("is a file, not a directory; choose another --out", file=str(out))
    try:
        # Hidden names (a run's .lock) last, so the message names the files a user knows.
        names = sorted((e.name for e in out.iterdir() if not (e.name.startswith(".") and e.name.endswith(".tmp"))),
                       key=lambda name: (name.startswith("."), name))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ResultsError(f"cannot read the directory: {exc.strerror}", file=str(out)) from None
    if not names:
        return None
    foreign = [n for n in names if n not in (JSON_FILE, MD_FILE)]
    if foreign or JSON_FILE not in names:
        shown = ", ".join((foreign or names)[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise ResultsError(f"is not empty and holds no pairwise report ({shown}); pairwise would write "
                           f"{JSON_FILE} and {MD_FILE} there: choose a new or empty --out", file=str(out))
    try:
        previous = load_pairwise(out / JSON_FILE)
    except ResultsError as exc:
        raise ResultsError(f"holds a {JSON_FILE} that is not a pairwise report this harness can replace "
                           f"({exc.problem}); choose a new or empty --out", file=str(out)) from None
    pairs = ", ".join(f"{c.candidate_a} vs {c.candidate_b}" for c in previous.comparisons) or "no comparison"
    return (f"replacing the pairwise report in {out} ({previous.a.eval_name} (A) vs {previous.b.eval_name} (B): "
            f"{pairs}; written {previous.created_at})")


def write_pairwise(report: PairwiseReport, out_dir: str | Path) -> dict[str, Path]:
    """Write ``pairwise.json`` and ``pairwise.md`` into ``out_dir`` (created if needed), atomically."""
    from harness.pairwise.markdown import render_pairwise_md

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / JSON_FILE, "md": out / MD_FILE}
    atomic_write_text(paths["json"], json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
    atomic_write_text(paths["md"], render_pairwise_md(report))
    return paths


def load_pairwise(path: str | Path) -> PairwiseReport:
    """Read ``pairwise.json``; a newer ``schema_version`` or an invalid file is a :class:`ResultsError`."""
    return load_versioned_json(path, PairwiseReport, PAIRWISE_SCHEMA_VERSION, "pairwise", "pairwise report")

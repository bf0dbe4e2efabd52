"""Writing a pairwise report (``pairwise.json``, ``pairwise.md``) and reading ``pairwise.json`` back."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from harness.errors import ResultsError
from harness.pairwise.schema import PAIRWISE_SCHEMA_VERSION, PairwiseReport
from harness.records.store import atomic_write_text

JSON_FILE, MD_FILE = "pairwise.json", "pairwise.md"


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
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ResultsError(f"cannot read a pairwise report: {exc}", file=str(path)) from None
    version = data.get("schema_version", 0) if isinstance(data, dict) else 0
    if version > PAIRWISE_SCHEMA_VERSION:
        raise ResultsError(f"pairwise schema_version {version} is newer than this harness reads "
                           f"({PAIRWISE_SCHEMA_VERSION}); upgrade the harness", file=str(path))
    try:
        return PairwiseReport.model_validate(data)
    except ValidationError as exc:
        raise ResultsError(f"invalid pairwise report: {exc.errors()[0]['msg']}", file=str(path)) from None

"""Writing a pairwise report (``pairwise.json``, ``pairwise.md``) and reading ``pairwise.json`` back."""

from __future__ import annotations

import json
from pathlib import Path

from harness.pairwise.schema import PAIRWISE_SCHEMA_VERSION, PairwiseReport
from harness.records.store import atomic_write_text, load_versioned_json

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
    return load_versioned_json(path, PairwiseReport, PAIRWISE_SCHEMA_VERSION, "pairwise", "pairwise report")

"""Writing a diff to disk (``diff.json``, ``diff.md``, ``diff.html``) and reading ``diff.json`` back."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from harness.compare.schema import DIFF_SCHEMA_VERSION, DiffReport
from harness.errors import ConfigError, ResultsError
from harness.records.store import atomic_write_text

FORMATS = ("md", "json", "html")
FILE_NAMES = {"md": "diff.md", "json": "diff.json", "html": "diff.html"}


def parse_formats(text: str) -> list[str]:
    """``"md,json"`` → ``["md", "json"]``; an unknown format is a :class:`ConfigError`."""
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ConfigError(f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}",
                          field="--format")
    return list(dict.fromkeys(formats))


def render(report: DiffReport, fmt: str) -> str:
    """``report`` as the text of one format."""
    if fmt == "json":
        # pydantic's serializer writes the same text as json.dumps(indent=2, ensure_ascii=False), ~10x faster.
        return report.model_dump_json(indent=2) + "\n"
    if fmt == "md":
        from harness.report.diff_markdown import render_diff_md
        return render_diff_md(report)
    from harness.report.diff_html import render_diff_html
    return render_diff_html(report)


def write_diff(report: DiffReport, out_dir: str | Path, formats: list[str] | tuple[str, ...] = FORMATS) -> dict[str, Path]:
    """Write each of ``formats`` into ``out_dir`` (created if needed), atomically; returns the paths."""
    from harness.compare.diff import cycle_collector_paused

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    with cycle_collector_paused():  # rendering a large diff allocates much and frees it all; no cycles
        for fmt in formats:
            paths[fmt] = out / FILE_NAMES[fmt]
            atomic_write_text(paths[fmt], render(report, fmt))
    return paths


def load_diff(path: str | Path) -> DiffReport:
    """Read ``diff.json``; a newer ``schema_version`` or an invalid file is a :class:`ResultsError`."""
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    version = data.get("schema_version", 0) if isinstance(data, dict) else 0
    if version > DIFF_SCHEMA_VERSION:
        raise ResultsError(f"diff schema_version {version} is newer than this harness reads "
                           f"({DIFF_SCHEMA_VERSION}); upgrade the harness", file=str(path))
    try:
        return DiffReport.model_validate(data)
    except ValidationError as exc:
        raise ResultsError(f"invalid diff: {exc.errors()[0]['msg']}", file=str(path)) from None

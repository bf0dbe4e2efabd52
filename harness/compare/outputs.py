"""Writing a diff to disk (``diff.json``, ``diff.md``, ``diff.html``) and reading ``diff.json`` back."""

from __future__ import annotations

from pathlib import Path

from harness.compare.schema import DIFF_SCHEMA_VERSION, DiffReport
from harness.errors import ConfigError
from harness.records.store import atomic_write_text, load_versioned_json

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
    from harness.gc_pause import cycle_collector_paused

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
    return load_versioned_json(path, DiffReport, DIFF_SCHEMA_VERSION, "diff", "diff")
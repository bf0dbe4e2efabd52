"""Writing a diff to disk (``diff.json``, ``diff.md``, ``diff.html``) and reading ``diff.json`` back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from harness.compare.schema import DIFF_SCHEMA_VERSION, DiffReport
from harness.errors import ConfigError, ResultsError
from harness.records.store import MANIFEST, atomic_write_text, load_versioned_json

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


@dataclass(frozen=True)
class OutPlan:
    """What writing a diff into a directory replaces: ``notice`` says so (``None`` for a new or empty
    directory), ``stale`` lists the earlier diff's files in formats not written this time, removed after the
    new ones are written so the directory never holds two comparisons' files."""

    notice: str | None = None
    stale: list[Path] = field(default_factory=list)


# How each file diff writes begins: a file of that name that does not is not ours to replace.
_OWN_MD = re.compile(r"# Diff: .* \(A\) vs .* \(B\)\n")
_OWN_HTML = re.compile(r"<title>Diff: .*? \(A\) vs .*? \(B\)</title>", re.DOTALL)


def check_out_dir(out_dir: str | Path, formats: list[str] | tuple[str, ...] = FORMATS) -> OutPlan:
    """Refuse an ``--out`` where writing a diff would overwrite what diff did not write; say what it replaces.

    As ``harness pairwise --out``: a missing or empty directory is fine. A run directory (its
    ``manifest.json``), a directory holding any other file, or a ``diff.md``/``diff.html``/``diff.json`` that
    is not a diff's (a file of your own by that name, a newer harness's ``diff.json``) is a
    :class:`ResultsError`, before anything is computed or written. A directory holding only an earlier
    diff's files is replaced whole: the new formats are written and that diff's other formats removed.
    """
    out = Path(out_dir)
    names = _entries(out)
    if not names:
        return OutPlan()
    if MANIFEST in names:
        raise ResultsError(f"is a run directory ({MANIFEST}); diff would write {', '.join(FILE_NAMES.values())} "
                           "among the run's files: choose a new or empty --out, e.g. results/diff-A-B", file=str(out))
    foreign = [n for n in names if n not in FILE_NAMES.values()]
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise ResultsError(f"is not empty and holds files diff did not write ({shown}); choose a new or empty "
                           "--out", file=str(out))
    previous = _own_diff(out, names)
    written = {FILE_NAMES[f] for f in formats}
    stale = [out / n for n in names if n not in written]
    what = f" ({previous})" if previous else ""
    removing = f"; removing its {', '.join(p.name for p in stale)}, not written this time" if stale else ""
    return OutPlan(f"replacing the earlier diff in {out}{what}{removing}", stale)


def _entries(out: Path) -> list[str]:
    """The names in ``out`` (none when it does not exist), leaving out an atomic write's leftover temp files."""
    if out.exists() and not out.is_dir():
        raise ResultsError("is a file, not a directory; choose another --out", file=str(out))
    try:
        return sorted(e.name for e in out.iterdir() if not (e.name.startswith(".") and e.name.endswith(".tmp")))
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ResultsError(f"cannot read the directory: {exc.strerror}", file=str(out)) from None


def _own_diff(out: Path, names: list[str]) -> str | None:
    """Check each diff file in ``out`` is one diff wrote; return what the earlier diff compared, when its
    ``diff.json`` says."""
    for fmt, pattern in (("md", _OWN_MD), ("html", _OWN_HTML)):
        name = FILE_NAMES[fmt]
        if name in names and not (pattern.match if fmt == "md" else pattern.search)(_head(out / name)):
            raise ResultsError(f"holds a {name} that harness diff did not write (it does not begin as a diff's "
                               "does); choose a new or empty --out", file=str(out))
    if FILE_NAMES["json"] not in names:
        return None
    try:
        previous = load_diff(out / FILE_NAMES["json"])
    except ResultsError as exc:
        raise ResultsError(f"holds a diff.json that is not a diff this harness can replace ({exc.problem}); "
                           "choose a new or empty --out", file=str(out)) from None
    pairs = ", ".join(f"{c.candidate_a} vs {c.candidate_b}" for c in previous.comparisons) or "no comparison"
    return f"{previous.a.run_dir} (A) vs {previous.b.run_dir} (B): {pairs}; written {previous.created_at}"


def _head(path: Path, size: int = 4096) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(size)
    except OSError as exc:
        raise ResultsError(f"cannot read: {exc.strerror}", file=str(path)) from None


def write_diff(report: DiffReport, out_dir: str | Path, formats: list[str] | tuple[str, ...] = FORMATS,
               plan: OutPlan | None = None) -> dict[str, Path]:
    """Write each of ``formats`` into ``out_dir`` (created if needed), atomically; returns the paths.

    ``plan`` is :func:`check_out_dir`'s answer for ``out_dir`` (checked here when not given): a directory
    holding anything but an earlier diff is refused, and that diff's formats not written now are removed.
    """
    from harness.gc_pause import cycle_collector_paused

    plan = check_out_dir(out_dir, formats) if plan is None else plan
    out = Path(out_dir)
    with cycle_collector_paused():  # rendering a large diff allocates much and frees it all; no cycles
        # Every format rendered before any is written: a failing render leaves an earlier diff there whole.
        texts = {fmt: render(report, fmt) for fmt in formats}
    out.mkdir(parents=True, exist_ok=True)
    paths = {fmt: out / FILE_NAMES[fmt] for fmt in formats}
    for fmt, text in texts.items():
        atomic_write_text(paths[fmt], text)
    for path in plan.stale:
        path.unlink(missing_ok=True)
    return paths


def load_diff(path: str | Path) -> DiffReport:
    """Read ``diff.json``; a newer ``schema_version`` or an invalid file is a :class:`ResultsError`."""
    return load_versioned_json(path, DiffReport, DIFF_SCHEMA_VERSION, "diff", "diff")
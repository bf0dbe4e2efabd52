"""An eval file's prompt templates: each candidate's template text, read from its file or written inline, and the
partials it includes; paths read from the current directory, else beside the eval file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from harness.config.candidates import TEMPLATE_SUFFIXES
from harness.config.prompt_partials import PartialError, find_partials

if TYPE_CHECKING:
    from harness.config.evalfile import EvalSpec


def resolve_path(raw: str, eval_path: Path) -> Path | None:
    """``raw`` relative to the current directory, else to the eval file's directory; None if neither exists."""
    path = Path(raw)
    if path.is_absolute() or _exists(path):
        return path if _exists(path) else None  # kept as written, so messages name it as the user did
    beside = eval_path.parent / raw
    return beside if _exists(beside) else None


def _exists(path: Path) -> bool:
    """``path.exists()``, False for a name the system cannot look up (too long, a NUL byte) instead of OSError."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def load_prompts(spec: EvalSpec, path: Path, fail, locs: list[tuple]) -> tuple[dict[str, str], dict[str, str]]:
    prompts: dict[str, str] = {}
    files: dict[str, str] = {}
    for index, candidate in enumerate(spec.candidates):
        raw = candidate.prompt
        if raw is None:
            continue
        if "\n" not in raw and raw.strip().endswith(TEMPLATE_SUFFIXES):
            found = resolve_path(raw.strip(), path)
            if found is None:
                raise fail(f"prompt template file not found: {raw}", *locs[index], "prompt")
            try:
                prompts[candidate.name] = found.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise fail(f"prompt template is not UTF-8 text: {raw}", *locs[index], "prompt") from None
            files[candidate.name] = str(found)
        else:
            prompts[candidate.name] = raw
    return prompts, files


def load_partials(prompts: dict[str, str], files: dict[str, str], path: Path, fail, locs: list[tuple],
                   spec: EvalSpec) -> dict[str, dict[str, str]]:
    """Each template's partials, read now (relative to the template's folder; an inline prompt's: the eval
    file's), so a missing one is an error at load time, before any call."""
    found = {}
    for index, candidate in enumerate(spec.candidates):
        if candidate.name not in prompts:
            continue
        origin = files.get(candidate.name)
        base = Path(origin).parent if origin else path.parent
        try:
            partials = find_partials(prompts[candidate.name], base, Path(origin).name if origin else "the prompt")
        except PartialError as exc:
            raise fail(str(exc), *locs[index], "prompt") from None
        if partials:
            found[candidate.name] = partials
    return found

"""Prompt templates split into files: ``{% include %}``, ``{% import %}``, ``{% from %}`` and ``{% extends %}``.

A team keeps its shared instructions in partials (``{% include "partials/tone.jinja" %}``). The eval loader
reads every partial a template names, at once and recursively, relative to the template's own folder (an
inline prompt's: the eval file's), as Jinja's file loader would; the template then compiles against those
texts alone, so a run never reads a prompt file again half way. Their text counts in the prompt's hash and
in the text the manifest keeps (:func:`combined`), so editing a partial is a changed prompt for ``--resume``
and ``harness diff`` as editing the template is.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2 import meta


class PartialError(Exception):
    """A partial that cannot be read: the message says which and why (the loader adds file and field)."""


def _referenced(source: str, name: str) -> list[str]:
    """The template names ``source`` includes, imports or extends; a name given by a variable is refused."""
    try:
        tree = jinja2.Environment().parse(source)
    except jinja2.TemplateSyntaxError:
        return []  # compiling the template reports it, with its line
    names = list(meta.find_referenced_templates(tree))
    if None in names:
        raise PartialError(f"{name} includes a template named by a variable: name each partial by a quoted path, "
                           'e.g. {% include "partials/tone.jinja" %}')
    return [n for n in names if n is not None]


def _read(base: Path, name: str, by: str) -> str:
    parts = name.replace("\\", "/").split("/")
    if ".." in parts or name.startswith("/"):
        raise PartialError(f"{by} includes {name!r}: a partial is named relative to the template's folder, "
                           "without '..' or a leading '/'")
    path = base.joinpath(*parts)
    if not path.is_file():
        raise PartialError(f"{by} includes {name!r}, which is not a file in {base}")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PartialError(f"{by} includes {name!r}, which is not UTF-8 text") from None


def find_partials(source: str, base: Path, origin: str) -> dict[str, str]:
    """Every partial ``source`` names, directly or through other partials: name as written → text.

    ``base`` is the folder names are relative to; ``origin`` names the template in messages.
    """
    partials: dict[str, str] = {}
    pending = [(name, origin) for name in _referenced(source, origin)]
    while pending:
        name, by = pending.pop(0)
        if name in partials:
            continue  # read once, however many templates name it (and a cycle ends here)
        text = partials[name] = _read(base, name, by)
        pending += [(inner, name) for inner in _referenced(text, name)]
    return partials


def combined(source: str, partials: dict[str, str]) -> str:
    """The template and its partials as one text, each partial under a Jinja comment naming it: what the
    prompt's hash covers and the manifest keeps. The template alone when it has none (hashes as before)."""
    blocks = [f"\n{{# ---- partial {name} ---- #}}\n{text}" for name, text in sorted(partials.items())]
    return source + "".join(blocks)

"""The README's CLI reference names every command the ``harness`` parser has, and nothing it lacks."""

from __future__ import annotations

import re
from pathlib import Path

from harness.cli.main import _parser

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_command_is_in_the_cli_reference_and_every_row_is_a_command():
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## CLI reference"):text.index("## Development")]
    documented = set(re.findall(r"^\| `harness ([a-z]+)", table, flags=re.M))
    parser = _parser()
    commands = set(next(a for a in parser._subparsers._group_actions).choices)  # noqa: SLF001
    assert commands == documented


def test_every_link_inside_the_readme_points_at_one_of_its_headings():
    text = README.read_text(encoding="utf-8")

    def slug(heading: str) -> str:  # GitHub's: lower case, punctuation dropped, spaces as hyphens
        return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")

    headings = {slug(h) for h in re.findall(r"^#+ (.*)$", text, flags=re.M)}
    broken = sorted(link for link in set(re.findall(r"\]\(#([^)]+)\)", text)) if link not in headings)
    assert broken == []

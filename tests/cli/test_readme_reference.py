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


def _subcommands(parser) -> dict:
    return dict(next(a for a in parser._subparsers._group_actions).choices)  # noqa: SLF001


def _long_options(parser) -> set[str]:
    """Every ``--option`` of a (sub)parser and of its own sub-commands (``cache info``/``cache clear``)."""
    found = {o for action in parser._actions for o in action.option_strings if o.startswith("--")}  # noqa: SLF001
    if parser._subparsers is not None:  # noqa: SLF001
        for child in _subcommands(parser).values():
            found |= _long_options(child)
    return found - {"--help"}


def _synopses(text: str) -> dict[str, str]:
    """Command -> the first cell of its row in the CLI reference table."""
    table = text[text.index("## CLI reference"):text.index("## Development")]
    return {m.group(1): m.group(0) for m in re.finditer(r"^\| `harness ([a-z]+)(?:[^|\\]|\\.)*", table, flags=re.M)}


def test_every_row_of_the_cli_reference_names_every_option_of_its_command_and_no_other():
    synopses = _synopses(README.read_text(encoding="utf-8"))
    missing, unknown = {}, {}
    for name, sub in _subcommands(_parser()).items():
        options = _long_options(sub)
        named = set(re.findall(r"--[a-z][a-z-]*", synopses[name]))
        if options - named:
            missing[name] = sorted(options - named)
        if named - options:
            unknown[name] = sorted(named - options)
    assert missing == {} and unknown == {}


def test_every_choice_of_schema_is_in_the_cli_reference():
    synopsis = _synopses(README.read_text(encoding="utf-8"))["schema"]
    choices = next(a for a in _subcommands(_parser())["schema"]._actions if a.dest == "name").choices  # noqa: SLF001
    assert [c for c in choices if not re.search(rf"(?<![\w-]){c}(?![\w-])", synopsis)] == []

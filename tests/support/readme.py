"""The README's examples, read as a user would copy them."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def yaml_block_after(marker: str) -> str:
    """The first ```yaml block of the README after the text ``marker``."""
    readme = (REPO / "README.md").read_text()
    found = re.search(r"```yaml\n(.*?)```", readme[readme.index(marker):], re.S)
    assert found is not None, f"no yaml block after {marker!r} in README.md"
    return found.group(1)

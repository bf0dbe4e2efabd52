"""Environment variables in an eval file: ``${NAME}`` and ``${NAME:-default}`` in its string values.

One eval file can then serve several set-ups, the way a CI job switches the judge
without editing the file::

    judge:
      model: ${JUDGE_MODEL:-embedded/gemma-3-270m}
      concurrency: ${JUDGE_CONCURRENCY:-8}

* ``${NAME}`` is the variable's value; unset, it is an error naming the file, the
  line, the field and the variable. ``${NAME:-default}`` takes ``default`` when the
  variable is unset or empty, as a shell does. ``$${`` is a literal ``${``.
* The result is text; a field that wants a number or a boolean reads it as the
  eval file's own ``8`` or ``true`` would be (``concurrency: ${N:-8}`` works).
* Only values are interpolated, never keys, and only in the eval file (datasets,
  rubrics and prompt templates are data, and a complaint may well contain ``${``).
* A variable whose name says it holds a secret (``KEY``, ``TOKEN``, ``SECRET``,
  ``PASSWORD``) is refused: the resolved file is written into every run's
  manifest. Keys are named with ``api_key_env`` and read at call time instead.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from harness.config.yamlfile import format_loc, line_of
from harness.errors import ConfigError

_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL")


def interpolate(data: Any, node: yaml.Node | None, path: Path, environ: dict[str, str] | None = None) -> Any:
    """``data`` with every ``${...}`` in its string values resolved (see the module docstring)."""
    env = os.environ if environ is None else environ
    return _walk(data, (), node, path, env)


def references(data: Any) -> list[str]:
    """The variable names the eval data refers to, in order of first use (for the manifest)."""
    found: dict[str, None] = {}
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))
        elif isinstance(value, str) and "${" in value:
            for m in _REFERENCE.finditer(value):
                if m.group(1) is not None:
                    found.setdefault(m.group(1).split(":-", 1)[0], None)
    return list(found)


def _walk(value: Any, loc: tuple, node, path: Path, env) -> Any:
    if isinstance(value, dict):
        return {key: _walk(item, (*loc, key), node, path, env) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, (*loc, i), node, path, env) for i, item in enumerate(value)]
    if isinstance(value, str) and "${" in value:
        return _resolve(value, loc, node, path, env)
    return value


def _resolve(text: str, loc: tuple, node, path: Path, env) -> Any:
    def fail(problem: str) -> ConfigError:
        return ConfigError(problem, file=str(path), line=line_of(node, loc), field=format_loc(loc) or None)

    pieces, done = [], 0
    for m in _REFERENCE.finditer(text):
        pieces.append(text[done:m.start()])
        done = m.end()
        if m.group(0) == "$${":
            pieces.append("${")
            continue
        if not m.group(0).endswith("}"):
            raise fail(f"'${{' without its closing '}}' in {text!r} (write $${{ for a literal ${{)")
        name, has_default, default = m.group(1).partition(":-")
        if not _NAME.fullmatch(name):
            raise fail(f"${{{m.group(1)}}}: not a variable name (letters, digits and _; a default is "
                       "written ${NAME:-default})")
        if any(word in name.upper() for word in _SECRET_WORDS):
            raise fail(f"${{{name}}} looks like a secret, and the resolved eval file is written into every "
                       "run's manifest: name a key with api_key_env instead")
        value = env.get(name)
        if not value and has_default:
            value = default
        elif value is None:
            raise fail(f"environment variable {name} is not set (give a default: ${{{name}:-value}})")
        pieces.append(value)
    pieces.append(text[done:])
    return "".join(pieces)

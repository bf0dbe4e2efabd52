"""Environment variables in an eval file: ``${NAME}`` and ``${NAME:-default}`` in its string values.

One eval file can then serve several set-ups, the way a CI job switches the judge
without editing the file::

    judge:
      model: ${JUDGE_MODEL:-embedded/gemma-3-270m}
      concurrency: ${JUDGE_CONCURRENCY:-8}

* ``${NAME}`` is the variable's value; unset, it is an error naming the file, the
  line, the field and the variable. ``${NAME:-default}`` takes ``default`` when the
  variable is unset or empty, as a shell does. ``$${`` is a literal ``${``, and so is
  ``${{`` (a dollar before a check's ``{{ field }}`` reference: ``'${{ context.max_refund }}'``).
* An unquoted value that is one reference and nothing else reads as if the
  variable's value were written there: ``${N:-8}`` is the number 8 and ``${F:-true}``
  a boolean, also where the eval file takes any value (``params.extra``, sent to
  the provider as is). Quoted (``"${V}"``), or inside other text, it is text, as
  YAML reads a quoted value. In YAML's flow style (``{min: ...}``, ``[...]``) a
  reference must be quoted, as ``{`` and ``}`` delimit the mapping there.
* Only values are interpolated, never keys, and only in the eval file (datasets,
  rubrics and prompt templates are data, and a complaint may well contain ``${``).
* A variable whose name says it holds a secret (a part between underscores is
  ``KEY``, ``TOKEN``, ``SECRET``, ``PASSWORD``, ``CREDENTIAL``, …: ``HF_TOKEN``,
  not ``MAX_TOKENS``) is refused: the resolved file is written into every run's
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

# ``$${`` (an escaped ``${``), a ``$`` right before a ``{{ field }}`` reference (``${{ context.max_refund }}``:
# a literal dollar, as no variable name starts with ``{``), or a reference ``${...}``.
_REFERENCE = re.compile(r"\$\$\{|\$(?=\{\{)|\$\{([^}]*)\}?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Whole parts of a name (split at "_"): HF_TOKEN and OPENAI_API_KEY look secret; MAX_TOKENS does not.
_SECRET_PARTS = frozenset({"KEY", "APIKEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASS", "CREDENTIAL",
                           "CREDENTIALS", "PWD"})


def interpolate(data: Any, node: yaml.Node | None, path: Path, environ: dict[str, str] | None = None) -> Any:
    """``data`` with every ``${...}`` in its string values resolved (see the module docstring)."""
    env = os.environ if environ is None else environ
    return _walk(data, (), node, path, env)


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

    pieces, done, whole = [], 0, False
    for m in _REFERENCE.finditer(text):
        pieces.append(text[done:m.start()])
        done = m.end()
        if m.group(0) == "$${":
            pieces.append("${")
            continue
        if m.group(0) == "$":  # before {{: the dollar is text, the reference a check's own
            pieces.append("$")
            continue
        if not m.group(0).endswith("}"):
            raise fail(f"'${{' without its closing '}}' in {text!r} (write $${{ for a literal ${{)")
        name, has_default, default = m.group(1).partition(":-")
        if "${" in default:
            raise fail(f"the default of ${{{name}}} holds '${{', which a default cannot: neither another reference "
                       "nor a literal $${ (write the value itself)")
        if not _NAME.fullmatch(name):
            raise fail(f"${{{m.group(1)}}}: not a variable name (letters, digits and _; a default is "
                       "written ${NAME:-default})")
        if _SECRET_PARTS & set(name.upper().split("_")):
            raise fail(f"${{{name}}} looks like a secret, and the resolved eval file is written into every "
                       "run's manifest: name a key with api_key_env instead")
        value = env.get(name)
        if not value and has_default:
            value = default
        elif value is None:
            raise fail(f"environment variable {name} is not set (give a default: ${{{name}:-value}})")
        pieces.append(value)
        whole = m.start() == 0 and m.end() == len(text)
    pieces.append(text[done:])
    if whole and _plain(node, loc):
        return _as_written(pieces[1])
    return "".join(pieces)


def _plain(node, loc: tuple) -> bool:
    """Whether the value at ``loc`` is written unquoted (a quoted one is text, as YAML reads it)."""
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = _value_of(node, key)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return False
    return isinstance(node, yaml.ScalarNode) and node.style is None


def _value_of(mapping: yaml.MappingNode, key: object) -> yaml.Node | None:
    """The value node of ``key`` in ``mapping``: its own, else one a merge key (``<<: *anchor``) brings in."""
    merged = []
    for k, v in mapping.value:
        if k.value == key and k.tag != "tag:yaml.org,2002:merge":
            return v
        if k.tag == "tag:yaml.org,2002:merge":
            merged += v.value if isinstance(v, yaml.SequenceNode) else [v]
    for source in merged:  # earlier merges win, as YAML's own construction has it
        if isinstance(source, yaml.MappingNode):
            found = _value_of(source, key)
            if found is not None:
                return found
    return None


def _as_written(value: str) -> Any:
    """``value`` as YAML reads it written unquoted in the file: ``8`` a number, ``true`` a boolean, else text."""
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError:
        return value
    return parsed if isinstance(parsed, (int, float, bool)) else value

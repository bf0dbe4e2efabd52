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
  rubrics and prompt templates are data, and a complaint may well contain ``${``);
  a rubric written in the eval file (``judge.rubric`` a mapping) is a rubric too.
* A ``.env`` file beside the eval file, then one in the working directory, fills
  in variables the environment does not set (a variable already set is never
  overridden; the first file to set one wins), and they are set for the rest of
  the process, so a key named by ``api_key_env`` can live there too, as with
  promptfoo. Nothing in it is printed or sent anywhere but where the eval file or
  an ``api_key_env`` sends it. See :func:`read_env_file` for what a line may be.
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


# What a .env line may hold: ``[export ]NAME=value`` (a comment or a blank line aside).
_ENV_LINE = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}
# Left as written, as a rubric file would be (see the module docstring).
_RUBRIC_AT = ("judge", "rubric")


def interpolate(data: Any, node: yaml.Node | None, path: Path, environ: dict[str, str] | None = None) -> Any:
    """``data`` with every ``${...}`` in its string values resolved (see the module docstring); with no
    ``environ``, from the process's environment, after the ``.env`` files (:func:`load_env_files`)."""
    if environ is None:
        load_env_files(path)
    env = os.environ if environ is None else environ
    return _walk(data, (), node, path, env)


def env_files(eval_path: Path) -> list[Path]:
    """The ``.env`` files an eval file reads, in order: beside it, then in the working directory."""
    found: list[Path] = []
    for candidate in (Path(eval_path).parent / ".env", Path.cwd() / ".env"):
        if candidate.is_file() and all(not candidate.samefile(f) for f in found):
            found.append(candidate)
    return found


def load_env_files(eval_path: Path) -> None:
    """Set every variable the ``.env`` files of ``eval_path`` name that is not set yet (never overriding)."""
    for env_file in env_files(eval_path):
        for name, value in read_env_file(env_file).items():
            os.environ.setdefault(name, value)


def read_env_file(path: Path) -> dict[str, str]:
    """A ``.env`` file's variables: ``NAME=value`` lines, ``export `` before the name allowed; ``#`` starts a
    comment (a whole line, or after a space in an unquoted value); a value may be quoted, ``'...'`` as
    written, ``"..."`` with ``\\n``, ``\\"`` and ``\\\\`` escapes; on one line, and no ``${...}`` expansion.
    A line that is none of these is a ConfigError naming the file and line, never quoting it (a secret)."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read this .env file ({type(exc).__name__})", file=str(path)) from None
    found: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        m = _ENV_LINE.fullmatch(text)
        if m is None:
            raise ConfigError("not a NAME=value line (a name is letters, digits and _; a comment starts with #)",
                              file=str(path), line=number)
        value = _env_value(m.group(2))
        if value is None:
            raise ConfigError(f"{m.group(1)}: a quoted value needs its closing quote on the same line, and "
                              "nothing but a # comment after it", file=str(path), line=number)
        found[m.group(1)] = value
    return found


def _env_value(raw: str) -> str | None:
    """A .env line's value as written after ``=`` (None when its quotes do not close properly)."""
    if not raw or raw[0] not in "'\"":
        return re.split(r"\s+#", raw, maxsplit=1)[0].strip()
    quote, out, i = raw[0], [], 1
    while i < len(raw) and raw[i] != quote:
        if quote == '"' and raw[i] == "\\" and i + 1 < len(raw):
            i += 1
            out.append(_ESCAPES.get(raw[i], "\\" + raw[i]))
        else:
            out.append(raw[i])
        i += 1
    rest = raw[i + 1:].strip()
    if i >= len(raw) or rest and not rest.startswith("#"):
        return None
    return "".join(out)


def _walk(value: Any, loc: tuple, node, path: Path, env) -> Any:
    if isinstance(value, dict) and loc == _RUBRIC_AT:
        return value
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
            raise fail(f"environment variable {name} is not set (set it, or write {name}=value in a .env file "
                       f"beside the eval file or in the working directory, or give a default: ${{{name}:-value}})")
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

"""``harness cache info|clear``: what the response cache holds, and removing some or all of it."""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

_AGE = re.compile(r"(\d+(?:\.\d+)?)([dhm]?)")
_UNIT_S = {"d": 86400, "h": 3600, "m": 60, "": 86400}
_UNIT_WORD = {"d": "day", "h": "hour", "m": "minute", "": "day"}


def add_parser(sub) -> None:
    """Register ``cache`` and its two actions."""
    cache = sub.add_parser("cache", help="what the model response cache holds; clear some or all of it")
    actions = cache.add_subparsers(dest="cache_action", metavar="ACTION")
    info = actions.add_parser("info", help="entries, size and age per model (the default)")
    clear = actions.add_parser("clear", help="delete cached responses (all, one model's, or older ones)")
    clear.add_argument("--model", help="only this model's responses (as `cache info` names it)")
    clear.add_argument("--older-than", metavar="AGE", help="only responses stored longer ago than AGE: 30d, 12h, "
                                                           "90m (a bare number is days)")
    for command in (cache, info):
        command.add_argument("--model", default=argparse.SUPPRESS, help="only this model's line")
    for command in (cache, info, clear):
        command.add_argument("--cache", type=Path, default=argparse.SUPPRESS,
                             help="cache file (default: .harness-cache/models.sqlite, or $HARNESS_CACHE_DIR)")


def cache(args: argparse.Namespace) -> int:
    from harness.models.cache import default_cache_path

    path = getattr(args, "cache", None) or default_cache_path()
    if getattr(args, "cache_action", None) == "clear":
        return _clear(path, args)
    return _info(path, getattr(args, "model", None))


def _info(path: Path, model: str | None = None) -> int:
    from harness.models.cache import cache_contents

    contents = cache_contents(path)
    if model is not None:
        _held(path, model, contents)
        contents = [m for m in contents if m.model == model]
    if not contents:
        print(f"cache: {path} ({'empty' if path.exists() else 'none yet'})")
        return 0
    print(f"cache: {path} ({_size(_disk_bytes(path))} on disk)")
    width = max(len("model"), *(len(m.model) for m in contents))
    print(f"{'model':{width}}  {'entries':>8}  {'size':>8}  {'oldest':16}  newest")
    for m in contents:
        print(f"{m.model:{width}}  {m.entries:>8,}  {_size(m.bytes):>8}  {_when(m.oldest)}  {_when(m.newest)}")
    if len(contents) > 1:
        print(f"{'total':{width}}  {sum(m.entries for m in contents):>8,}  {_size(sum(m.bytes for m in contents)):>8}")
    return 0


def _clear(path: Path, args: argparse.Namespace) -> int:
    from harness.models.cache import cache_contents, clear_cache

    if args.model is not None:
        _held(path, args.model, cache_contents(path))
    older = _age_s(args.older_than) if args.older_than is not None else None
    before = _disk_bytes(path)
    deleted = clear_cache(path, model=args.model, older_than_s=older)
    which = " of " + args.model if args.model else ""
    age = f" stored more than {_age_words(args.older_than)} ago" if args.older_than else ""
    print(f"deleted {deleted:,} cached responses{which}{age} from {path} "
          f"({_size(before)} -> {_size(_disk_bytes(path))} on disk)")
    return 0


def _held(path: Path, model: str, contents) -> None:
    """Refuse a ``--model`` the cache holds nothing of, naming what it holds (a typo must not read as empty)."""
    from harness.errors import ConfigError

    held = [m.model for m in contents]
    if model not in held:
        raise ConfigError(f"the cache {path} holds no response of {model} (it holds: {', '.join(held) or 'nothing'})",
                          field="--model")


def _age_s(raw: str) -> float:
    from harness.errors import ConfigError

    m = _AGE.fullmatch(raw.strip())
    if not m:
        raise ConfigError(f"expected an age such as 30d, 12h or 90m, got {raw!r}", field="--older-than")
    return float(m.group(1)) * _UNIT_S[m.group(2)]


def _age_words(raw: str) -> str:
    """An age as the user gave it, with its unit spelled out (a bare ``30`` is days): ``30 days``, ``1 hour``."""
    number, unit = _AGE.fullmatch(raw.strip()).groups()  # already checked by _age_s
    word = _UNIT_WORD[unit]
    return f"{number} {word}" if float(number) == 1 else f"{number} {word}s"


def _disk_bytes(path: Path) -> int:
    """The cache's bytes on disk, its write-ahead log included (0 for what cannot be looked at)."""
    total = 0
    for part in (path, path.with_name(path.name + "-wal")):
        try:
            total += part.stat().st_size
        except OSError:
            pass
    return total


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} B"


def _when(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(stamp))

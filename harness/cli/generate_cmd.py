"""``harness generate``: new complaint cases written by a model, from seed cases or a persona x category grid."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.cli.override_opts import _GivenOnce
from harness.errors import ConfigError

MAX_COUNT = 10_000
EXIT_NOTHING_KEPT = 3  # as a run that errors left nothing to show


def add_parser(sub) -> None:
    """Register the ``generate`` sub-command."""
    p = sub.add_parser("generate", help="write new complaint cases with a model, from seed cases or a grid of "
                                        "personas x categories (DeepEval's synthesizer, promptfoo's generate dataset)")
    p.add_argument("--count", type=int, required=True, metavar="N", help="cases to write")
    p.add_argument("--out", type=Path, metavar="FILE.jsonl", help="write the cases here (JSONL); an existing "
                   "file only with --force")
    p.add_argument("--seeds", type=Path, metavar="FILE", help="seed cases, any dataset file `harness validate` "
                   "reads (default: datasets/complaints.jsonl)")
    p.add_argument("--no-seeds", action="store_true", help="generate from the grid alone, without seed cases")
    p.add_argument("--personas", metavar="P[,P...]", help="personas to ask for (angry, genuine_grievance, "
                   "unreasonable_demand, passive_aggressive, indecisive, abusive); default: each seed's own")
    p.add_argument("--categories", metavar="C[,C...]", help="company categories to ask for (parcel_delivery, "
                   "banking, ...); default: each seed's own")
    p.add_argument("--products", metavar="P[,P...]", help="products or services the complaints are about")
    p.add_argument("--policy", action="append", default=[], metavar="TEXT", dest="policies",
                   help="a policy the company has, as text (repeat for several: each is one axis value of the grid)")
    p.add_argument("--model", action=_GivenOnce, metavar="MODEL", help="the model that writes the complaints, "
                   "any model the harness accepts (default: embedded/gemma-3-270m, weak: a demonstration)")
    p.add_argument("--api-base", action=_GivenOnce, metavar="URL", help="the model's base URL (api_base)")
    p.add_argument("--api-key-env", action=_GivenOnce, metavar="VAR",
                   help="environment variable holding the model's key (api_key_env)")
    p.add_argument("--seed", type=int, default=0, help="chooses the seed cases and angles of each generation, "
                   "and is sent to the model (default 0); the same seed asks the same, so a rerun is free")
    p.add_argument("--temperature", type=float, default=0.9, help="sampling temperature (default 0.9)")
    p.add_argument("--max-tokens", type=int, default=400, help="longest answer in tokens (default 400)")
    p.add_argument("--concurrency", type=int, default=8, help="calls in flight (default 8; the embedded model: 1)")
    p.add_argument("--max-retries", type=int, default=4, metavar="N", help="retries of a call a provider failed "
                   "(429, 5xx, timeout), with backoff, before that generation counts as failed (default 4)")
    p.add_argument("--max-asks", type=int, metavar="N", help="generations asked at most, refills of dropped ones "
                   "included (default: twice --count)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the response cache")
    p.add_argument("--cache", type=Path, help="response cache file (default: .harness-cache/models.sqlite)")
    p.add_argument("--dry-run", action="store_true", help="print the calls, tokens and the first round's "
                   "plan, and stop before any call")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.add_argument("--quiet", action="store_true", help="print only the summary line")


def generate(args: argparse.Namespace) -> int:
    from harness.generate.command import run_generate

    options = options_from(args)
    say = (lambda line: None) if args.quiet else (lambda line: print(f"harness: generate: {line}", file=sys.stderr))
    summary = run_generate(options, say)
    if summary is None:
        return 0
    print(f"harness: generate: {summary.line()}", file=sys.stderr)
    if not args.quiet:
        for note in summary.notes:
            print(f"harness: generate:   {note}", file=sys.stderr)
        print(f"harness: generate: {summary.usage_line()}", file=sys.stderr)
    if not summary.kept:
        print(f"harness: generate: no case passed the gates: nothing written to {options.out}", file=sys.stderr)
        return EXIT_NOTHING_KEPT
    print(f"harness: generate: wrote {len(summary.kept)} case{'s' if len(summary.kept) != 1 else ''} to "
          f"{options.out} (check it: harness validate {options.out})", file=sys.stderr)
    if len(summary.kept) < summary.wanted:  # written all the same: what passed is worth keeping
        print(f"harness: generate: {summary.wanted - len(summary.kept)} fewer than the {summary.wanted} wanted: "
              f"every one of --max-asks {summary.asked} was used; raise it, or try another --seed or --model",
              file=sys.stderr)
    return 0


def options_from(args: argparse.Namespace):
    """The command line as :class:`GenerateOptions`, each bad value one line naming its option."""
    from harness.generate.spec import DEFAULT_SEEDS, GenerateOptions
    from harness.models.base import EMBEDDED_MODEL

    _positive(args.count, "--count", MAX_COUNT)
    _positive(args.max_tokens, "--max-tokens")
    _positive(args.concurrency, "--concurrency", 1024)
    if not 0 <= args.max_retries <= 20:
        raise ConfigError("must be a whole number from 0 to 20", field="--max-retries")
    if args.max_asks is not None:
        _positive(args.max_asks, "--max-asks")
        if args.max_asks < args.count:
            raise ConfigError(f"must be at least --count ({args.count})", field="--max-asks")
    if not 0 <= args.temperature <= 2:
        raise ConfigError("must be from 0 to 2", field="--temperature")
    if args.no_seeds and args.seeds is not None:
        raise ConfigError("goes without --seeds", field="--no-seeds")
    _check_key_env(args.api_key_env)
    return GenerateOptions(
        count=args.count, out=args.out, seeds=None if args.no_seeds else (args.seeds or DEFAULT_SEEDS),
        personas=_personas(args.personas), categories=_names(args.categories, "--categories"),
        products=_names(args.products, "--products"), policies=tuple(p.strip() for p in args.policies if p.strip()),
        model=args.model or EMBEDDED_MODEL, api_base=args.api_base, api_key_env=args.api_key_env, seed=args.seed,
        temperature=args.temperature, max_tokens=args.max_tokens, concurrency=args.concurrency,
        max_retries=args.max_retries, max_asks=args.max_asks, use_cache=not args.no_cache, cache_path=args.cache,
        dry_run=args.dry_run,
        force=args.force)


def _positive(value: int, option: str, most: int | None = None) -> None:
    if value < 1 or (most is not None and value > most):
        raise ConfigError("must be a positive whole number" + (f" up to {most:,}" if most else ""), field=option)


def _names(text: str | None, option: str) -> tuple[str, ...]:
    if text is None:
        return ()
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    if not names:
        raise ConfigError("give at least one name, comma-separated", field=option)
    return names


def _personas(text: str | None) -> tuple[str, ...]:
    from harness.datasets.personas import normalize_persona, unknown_persona

    names = _names(text, "--personas")
    for name in names:
        problem = unknown_persona(name)
        if problem is not None:
            raise ConfigError(problem, field="--personas")
    return tuple(dict.fromkeys(normalize_persona(name) or name for name in names))


def _check_key_env(value: str | None) -> None:
    from harness.models.base import ENV_NAME_PROBLEM, env_var_name

    try:
        env_var_name(value)
    except ValueError:
        raise ConfigError(ENV_NAME_PROBLEM, field="--api-key-env") from None

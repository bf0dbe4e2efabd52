"""``harness pairwise A [B]``: judge two candidates' replies against each other, in both orders."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from harness.cli.once import Once


def add_parser(sub) -> None:
    """Register the ``pairwise`` sub-command."""
    p = sub.add_parser("pairwise", help="judge two candidates' replies against each other, in both orders")
    p.add_argument("run_a", type=Path, help="run directory (side A)")
    p.add_argument("run_b", type=Path, nargs="?", help="run directory (side B); omit to compare within RUN_A")
    p.add_argument("--pair", action=Once, help="A_CANDIDATE=B_CANDIDATE (required within one run; default: shared names)")
    p.add_argument("--judge-model", help="judge model (litellm form, fake/…, embedded/…); default: run A's judge")
    p.add_argument("--api-base", help="with --judge-model: the provider's base URL")
    p.add_argument("--api-key-env", help="with --judge-model: environment variable holding the key")
    p.add_argument("--judge-price", metavar="IN,OUT",
                   help="US dollars per million prompt and completion tokens of the judge (e.g. 0.15,0.60), as "
                        "an eval file's price: says; default: run A's judge's price, if it had one")
    p.add_argument("--rubric", type=Path, help="rubric file whose criteria are compared; default: run A's rubric")
    p.add_argument("--criteria", help="comma-separated criterion ids (default: those run A judged; "
                                                         "with --rubric, all of that rubric)")
    p.add_argument("--max-attempts", type=int, default=2, help="asks per order before a judge error (default 2)")
    p.add_argument("--concurrency", type=int, help="judge calls in flight (default: the model's)")
    p.add_argument("--limit", type=int, help="only the first N cases both candidates answered")
    p.add_argument("--out", type=Path, help="write pairwise.json and pairwise.md here (default: "
                                            "results/pairwise-<time>); a directory holding anything else is "
                                            "refused, an earlier pairwise report there is replaced")
    p.add_argument("--allow-incomparable", action="store_true",
                   help="compare even if the runs' datasets or cases differ (outputs say so)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the model cache")
    p.add_argument("--cache", type=Path, help="model cache file (default: .harness-cache/models.sqlite)")
    p.add_argument("--resamples", type=int, default=4000, help="bootstrap resamples (default 4000)")
    p.add_argument("--seed", type=int, default=20240607, help="bootstrap seed (default 20240607)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


class PairProgress:
    """A line on stderr per tenth of the pairs judged (each pair is two calls)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.total = self.seen = self.errors = 0

    def start(self, total: int) -> None:
        self.total, self.seen, self.errors = total, 0, 0
        if self.enabled:
            print(f"harness: {total} pairs to judge, each in both orders ({2 * total} judge calls)", file=sys.stderr)

    def advance(self, verdict) -> None:
        self.seen += 1
        self.errors += verdict.outcome == "error"
        step = max(1, self.total // 10)
        if self.enabled and (self.seen % step == 0 or self.seen == self.total):
            print(f"harness: {self.seen}/{self.total} pairs judged, {self.errors} errors", file=sys.stderr)


def _options(args: argparse.Namespace, progress: PairProgress):
    from harness.compare import parse_pair
    from harness.errors import ConfigError
    from harness.pairwise import JudgeSettings, PairwiseOptions, StatsOptions

    for flag, value, low in (("--max-attempts", args.max_attempts, 1), ("--concurrency", args.concurrency, 1),
                             ("--resamples", args.resamples, 0)):
        if value is not None and value < low:
            raise ConfigError(f"must be at least {low}", field=flag)
    if (args.api_base or args.api_key_env) and not args.judge_model:
        raise ConfigError("goes with --judge-model", field="--api-base" if args.api_base else "--api-key-env")
    if args.api_key_env is not None:
        from harness.models.base import ENV_NAME_PROBLEM, env_var_name
        try:
            env_var_name(args.api_key_env)
        except ValueError:
            raise ConfigError(ENV_NAME_PROBLEM, field="--api-key-env") from None
    criteria = [c.strip() for c in args.criteria.split(",") if c.strip()] if args.criteria else None
    judge = JudgeSettings(model=args.judge_model, api_base=args.api_base, api_key_env=args.api_key_env,
                          rubric=args.rubric, criteria=criteria, max_attempts=args.max_attempts,
                          concurrency=args.concurrency, price=_price(args.judge_price))
    pair = None
    if args.pair:
        from harness.cli.candidate_names import pair_in_runs

        pair = pair_in_runs(parse_pair(args.pair), args.run_a, args.run_b, "--pair")
    return PairwiseOptions(judge=judge, pair=pair,
                           allow_incomparable=args.allow_incomparable, limit=args.limit,
                           use_cache=not args.no_cache, cache_path=args.cache,
                           stats=StatsOptions(n_resamples=args.resamples, seed=args.seed),
                           on_start=progress.start, on_verdict=progress.advance)


def _price(text: str | None):
    """``--judge-price 0.15,0.60``: a :class:`Price` (dollars per million prompt, completion tokens)."""
    if text is None:
        return None
    from harness.errors import ConfigError
    from harness.models.base import Price

    parts = [p.strip() for p in text.split(",")]
    try:
        prompt, completion = (float(p) for p in parts)
        return Price(input_per_mtok=prompt, output_per_mtok=completion)
    except ValueError:  # two numbers not given, or pydantic's refusal of a negative or non-finite one
        raise ConfigError(f"expected two non-negative numbers IN,OUT (dollars per million prompt and completion "
                          f"tokens, e.g. 0.15,0.60), got {text!r}", field="--judge-price") from None


def summary_lines(report) -> list[str]:
    """A few lines per comparison: the pooled outcome, consistency, position bias and errors."""
    from harness.pairwise.markdown import fmt_difference, fmt_rate

    lines = []
    for comparison in report.comparisons:
        row = comparison.overall
        lines.append(f"{comparison.candidate_a} (A) vs {comparison.candidate_b} (B), {row.n_pairs} pairs over "
                     f"{row.n_cases} cases: B wins {_pct(row.b_wins)}, ties {_pct(row.ties)}, A wins "
                     f"{_pct(row.a_wins)}; B − A {fmt_difference(row)} ({row.preference})")
        lines.append(f"  consistent under swap {fmt_rate(row.consistency)}; picked the first reply "
                     f"{fmt_rate(row.first_position)}; {_judge_errors(row)}")
    return lines


def _judge_errors(row) -> str:
    """``10 pairs with a judge error (11 failed calls: junk 11)``, as the table counts them: pairs and calls
    apart (a pair is asked in two orders, so "judge errors 11" read as 11 pairs lost when 10 were)."""
    from harness.pairwise.markdown import fmt_failed_calls

    pairs = row.left_out.judge_error
    return f"{pairs} pair{'s' if pairs != 1 else ''} with a judge error" + fmt_failed_calls(row)


def _pct(share) -> str:
    return "–" if share.rate is None else f"{share.rate:.0%}"


def pairwise(args: argparse.Namespace) -> int:
    from harness.pairwise import run_pairwise, write_pairwise
    from harness.pairwise.outputs import check_out_dir

    options = _options(args, PairProgress(enabled=not args.quiet))
    out = args.out or Path("results") / f"pairwise-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    replacing = check_out_dir(out)  # before any judge call: a refused --out costs nothing
    report = run_pairwise(args.run_a, args.run_b, options)
    for warning in report.warnings + report.notices:
        print(f"harness: warning: {warning}", file=sys.stderr)
    if replacing:
        print(f"harness: note: {replacing}", file=sys.stderr)
    paths = write_pairwise(report, out)
    for line in summary_lines(report):
        print(line)
    print(f"md:   {paths['md']}")
    print(f"json: {paths['json']}")
    judged = sum(c.overall.n_pairs for c in report.comparisons)
    failed = sum(sum(c.overall.errors.values()) for c in report.comparisons)
    if failed and not judged:
        # As a run whose every record errored: the outputs are written, but nothing was judged.
        print(f"harness: error: every judge call failed ({failed}): nothing was judged", file=sys.stderr)
        return 3
    return 0

"""The commands behind the CLI: each builds options, calls the library, renders the result."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from harness.cli.override_opts import overrides_from, say_overrides, start_overridden
from harness.errors import ConfigError, UserError

MAX_REPEAT = 1000  # as a candidate's `epochs`


def run(args: argparse.Namespace) -> int:
    from harness.ci.nightly import NightlyOptions, run_gated
    from harness.cli.progress import RunProgress
    from harness.runner.engine import RunOptions

    from harness.config.evalfile import repeated

    from harness.config.overrides import overridden

    candidates, selection = _chosen(args)
    overrides = overrides_from(args, candidates)
    progress = RunProgress(enabled=not args.quiet)
    options = RunOptions(out=args.out, limit=args.limit, candidates=candidates, resume=args.resume,
                         retry_errors=args.retry_errors, use_cache=not args.no_cache, cache_path=args.cache,
                         on_record=progress.advance, on_start=progress.start, batch=args.batch, selection=selection)
    if args.repeat is not None and not args.quiet:
        print(f"harness: --repeat {args.repeat}: {args.repeat} sample(s) per case of each model candidate, in place "
              "of the eval file's epochs (the manifest's eval_spec records it)", file=sys.stderr)
    with progress, repeated(args.repeat), overridden(overrides):
        start_overridden(args, overrides)
        gated = run_gated(args.eval, NightlyOptions(run=options, baseline=args.baseline, trend_pngs=args.trend_pngs,
                                                    junit=args.junit))
    _print_outputs(gated.result.outputs, quiet=args.quiet)
    _print_gates(gated)
    return gated.exit_code


def _chosen(args: argparse.Namespace):
    """``--candidates`` as a list (None: all) and the case selection, checked (``run`` and ``estimate``)."""
    if args.limit is not None and args.limit < 1:
        raise ConfigError("must be a positive number", field="--limit")
    if getattr(args, "repeat", None) is not None and not 1 <= args.repeat <= MAX_REPEAT:
        raise ConfigError(f"must be a whole number from 1 to {MAX_REPEAT} (samples per case)", field="--repeat")
    candidates = [c.strip() for c in args.candidates.split(",") if c.strip()] if args.candidates else None
    if candidates and args.failing is not None:  # the failing run's names, shortened as the eval's may be
        from harness.cli.candidate_names import in_run

        candidates = list(in_run(Path(args.failing), candidates, "--candidates"))
    return candidates, _case_selection(args, candidates)


def estimate(args: argparse.Namespace) -> int:
    from harness.config.evalfile import load_eval
    from harness.report.estimate import estimate_json, render_estimate
    from harness.runner.estimate import estimate_run

    if args.reply_tokens is not None and args.reply_tokens < 1:
        raise ConfigError("must be a positive number", field="--reply-tokens")
    if not args.latency > 0:
        raise ConfigError("must be a positive number of seconds", field="--latency")
    from harness.config.evalfile import repeated

    from harness.config.overrides import overridden

    candidates, selection = _chosen(args)
    with repeated(args.repeat), overridden(overrides_from(args, candidates)):
        loaded = load_eval(args.eval)
    say_overrides(loaded, quiet=False)
    if candidates:  # resolved here, before estimate_run reads them (its models, the in-process one's pace)
        from harness.config.candidates import resolve_candidates

        candidates = resolve_candidates(candidates, [c.name for c in loaded.spec.candidates], "--candidates")
    found = estimate_run(loaded, limit=args.limit, candidate_names=candidates, selection=selection,
                         reply_tokens=args.reply_tokens, cache_path=args.cache)
    print(json.dumps(estimate_json(found, args.latency), indent=2) if args.json else render_estimate(found, args.latency))
    return 0


def export(args: argparse.Namespace) -> int:
    from harness.records.store import read_manifest
    from harness.report.export import is_export, write_export

    excel = getattr(args, "excel", False)
    fmt = args.format or ("jsonl" if args.out is not None and args.out.suffix == ".jsonl" else "csv")
    if excel and fmt != "csv":
        raise ConfigError("writes CSV for Excel, not JSONL: drop --excel, or give --out a .csv name",
                          field="--excel")
    read_manifest(args.run_dir)  # not a run: one line, before anything is written
    if args.out is not None and args.out.resolve().is_relative_to(args.run_dir.resolve()):
        raise ConfigError(f"{args.out} is inside the run directory {args.run_dir}: write the export elsewhere "
                          "(it could replace the run's own files)", field="--out")
    replaced = None
    if args.out is not None and args.out.is_file():
        earlier = is_export(args.out)
        if not earlier and not getattr(args, "force", False):
            # A dataset (cases.jsonl) or an edited sheet in its place would be lost; an earlier export is not.
            raise ConfigError("exists and is not an earlier export: give another path, or add --force to replace "
                              "it", file=str(args.out), field="--out")
        replaced = "an earlier export" if earlier else "the file there (--force)"
    if args.out is None:
        write_export(args.run_dir, sys.stdout, fmt, formula_escape=not args.no_formula_escape, excel=excel)
        return 0
    partial = args.out.with_name(args.out.name + ".partial")
    try:
        with open(partial, "w", encoding="utf-8", newline="") as out:
            rows = write_export(args.run_dir, out, fmt, formula_escape=not args.no_formula_escape,
                                excel=excel)
        partial.replace(args.out)  # a reader never sees half a file
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ConfigError(f"cannot write {args.out}: {exc.strerror}", field="--out") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    print(f"{rows} row{'' if rows == 1 else 's'}: {args.out}" + (f" (replaced {replaced})" if replaced else ""))
    return 0


def _case_selection(args: argparse.Namespace, candidates: list[str] | None):
    """The cases ``--cases``, ``--where`` and ``--failing`` keep (a failing run is read now)."""
    from harness.datasets.selection import CaseSelection, parse_ids, parse_where

    only, on = None, None
    if args.failing_on is not None and args.failing is None:
        raise ConfigError("needs --failing RUN (the run whose failures it narrows)", field="--failing-on")
    if args.failing is not None:
        from harness.ci.verdicts import failing_case_ids, parse_targets

        on = parse_targets(args.failing_on) if args.failing_on is not None else None
        only = failing_case_ids(Path(args.failing), candidates, on)
    return CaseSelection(ids=parse_ids(args.cases), where=tuple(parse_where(w) for w in args.where), only=only,
                         only_from=args.failing, only_on=on or ())


def _print_gates(gated) -> None:
    for gate in gated.outcome.failed:
        # The run's own completion gate failing is exit code 3: said in the words of the `gates:` line below (on
        # stdout, so each stream names the cause), not as "run completed", which read as its opposite.
        label = "run incomplete" if gate.candidate is None and not gated.outcome.complete and \
            gate.name.startswith("run completed") else gate.label
        print(f"gate failed: {label}: {gate.detail}", file=sys.stderr)
    for note in gated.outcome.notes:
        print(f"harness: note: {note}", file=sys.stderr)
    print(f"junit:     {gated.junit}")
    print(f"summary:   {gated.summary}")
    if gated.trend_pngs:
        print(f"trends:    {gated.trend_pngs[0].parent}/ ({len(gated.trend_pngs)} charts)")
    # Exit code 3 has three causes: say which (not complete, every record an error, above max_error_rate).
    words = f"run incomplete: {gated.outcome.completion}" if gated.exit_code == 3 else _GATE_WORDS[gated.exit_code]
    words += gated.outcome.unheld_words() if not gated.exit_code else ""  # as summary.md: not measured, not held
    print(f"gates:     {words} (exit code {gated.exit_code})")


_GATE_WORDS = {0: "all passed", 1: "FAILED", 2: "baseline unusable (max_regression gates not evaluated)",
               3: "run incomplete (not complete, every record in error, or above max_error_rate)"}


def accept(args: argparse.Namespace) -> int:
    """Mark a run as its eval's baseline; a run that did not pass its gates only with ``--force``, a run of some
    of the cases (``--failing``, ``--cases``, ``--where``, ``--limit``) only with ``--partial`` (each with a
    warning)."""
    from harness.errors import ResultsError
    from harness.history.index import accept_run, partial_run
    from harness.records.store import read_manifest

    failed = _gates_failed(args.run_dir)
    force, partial = getattr(args, "force", False), getattr(args, "partial", False)
    if failed and not force:
        raise ResultsError(f"not accepted: {failed}; later runs would be held to it (accept it anyway with --force)",
                           file=str(args.run_dir))
    eval_name = accept_run(args.run_dir, partial=partial)
    if failed:
        print(f"harness: warning: {args.run_dir}: {failed}; accepted anyway (--force)", file=sys.stderr)
    selected = partial_run(read_manifest(args.run_dir)) if partial else None
    if selected:
        print(f"harness: warning: {args.run_dir}: a partial run ({selected}); later runs' max_regression gates "
              f"compare those cases only, and their notes say so (--partial)", file=sys.stderr)
    print(f"accepted {args.run_dir} as the baseline of eval {eval_name!r} (use --baseline accepted)")
    from harness.report.history_html import refresh_index_html

    refresh_index_html(Path(args.run_dir).parent)  # the runs page marks each eval's baseline
    return 0


def _gates_failed(run_dir: Path) -> str | None:
    """Why the run did not pass its gates (as recorded in gates.json, else held to them now without a
    baseline), or None when it passed."""
    from harness.gates.evaluate import evaluate_gates, read_outcome
    from harness.records.store import read_manifest
    from harness.scoring.scorecard import load_scorecard

    outcome = read_outcome(run_dir)
    if outcome is None:
        manifest = read_manifest(run_dir)
        if manifest.status != "complete":
            return None  # accept_run refuses it, with its own reason
        outcome = evaluate_gates(run_dir, manifest.eval_spec, load_scorecard(run_dir), None, manifest.eval_file.path,
                                 selection=manifest.dataset.get("selection"))
    if outcome.passed:
        return None
    first = outcome.failed[0] if outcome.failed else None
    why = f": {first.label}: {first.detail}" if first else f": {outcome.completion}"
    return f"it failed its gates (exit code {outcome.exit_code}{why})"


def history(args: argparse.Namespace) -> int:
    from harness.history.table import history_rows, render_history

    if args.charts is not None and not args.eval_name:
        raise ConfigError("--charts needs --eval NAME (one eval's runs per chart)", field="--charts")
    if args.last is not None and args.last < 1:
        raise ConfigError("must be at least 1", field="--last")
    html = getattr(args, "html", None)
    if html is not None:  # a file of the user's at --html is refused before anything is printed
        from harness.report.history_html import earlier_page, page_path

        earlier_page(page_path(args.results, html or None, eval_name=args.eval_name, last=args.last))
    rows = history_rows(args.results, args.eval_name)
    if args.last is not None:
        rows = rows[-args.last:]  # oldest first: the last N are the newest
    sys.stdout.write(render_history(rows))
    if args.charts is not None:
        from harness.history.charts import write_trend_pngs
        from harness.history.trends import load_trends

        pngs = write_trend_pngs(load_trends(args.results, args.eval_name, last=args.last), args.charts)
        print(f"charts:    {len(pngs)} written to {args.charts}/")
    if html is not None:
        from harness.report.history_html import write_index_html

        page, count = write_index_html(args.results, html or None, eval_name=args.eval_name, last=args.last)
        print(f"html:      {page} ({count} run{'s' if count != 1 else ''})")
    return 0


def report(args: argparse.Namespace) -> int:
    """Rebuild the run's scorecard and report; a gated run's report gets its banner from ``gates.json``."""
    from harness.ci.banner import write_gates_banner
    from harness.gates.evaluate import read_outcome
    from harness.runner.outputs import finalize_run

    outcome = read_outcome(args.run_dir)  # a corrupt gates.json is named before anything is rewritten
    outputs = finalize_run(args.run_dir)
    if outcome is not None:
        write_gates_banner(outputs.report_html, outcome)
    _print_outputs(outputs, quiet=args.quiet)
    return 0


def _print_outputs(outputs, quiet: bool) -> None:
    if not quiet:
        from harness.report.terminal import print_summary

        print_summary(outputs.scorecard)
    print(f"scorecard: {outputs.scorecard_md}")
    print(f"json:      {outputs.scorecard_json}")
    print(f"report:    {outputs.report_html}")


def diff(args: argparse.Namespace) -> int:
    from harness.compare import (DiffOptions, StatOptions, build_diff, parse_formats, parse_min_effect, parse_primary,
                                 write_diff)
    from harness.compare.diff import measured_nothing
    from harness.compare.pairs import parse_pairs
    from harness.compare.setup import setup_text
    from harness.report.diff_usage import usage_text
    from harness.compare.outputs import check_out_dir, render

    formats = parse_formats(args.format or "md,json,html")
    if args.out is None and args.format is not None and len(formats) > 1:
        raise ConfigError("several formats go to files: add --out DIR (without it, one format is printed)",
                          field="--format")
    pairs = parse_pairs(args.pair or [])
    if len(pairs) < len(args.pair or []):  # said, not silently folded: a typo may have meant another pair
        repeated = sorted({text.strip() for text in args.pair if args.pair.count(text) > 1} or set(args.pair))
        print(f"harness: note: --pair {', '.join(repeated)} given more than once: each pair is compared once",
              file=sys.stderr)
    stats = StatOptions(min_effect=parse_min_effect(args.min_effect)) if args.min_effect else StatOptions()
    # Before reading any record: a run directory or a folder of someone else's files is refused, as pairwise does.
    plan = check_out_dir(args.out, formats) if args.out is not None else None
    primary = parse_primary(args.primary) if args.primary is not None else None
    report = build_diff(args.run_a, args.run_b, DiffOptions(
        pairs=pairs, baseline_candidate=args.baseline_candidate, allow_incomparable=args.allow_incomparable,
        stats=stats, primary=primary))
    for warning in report.warnings:  # before any number: incomparable sides, unshared cases, self-judging
        print(f"harness: warning: {warning}", file=sys.stderr)
    if report.regrade:  # B grades A's own replies again: what the numbers below measure
        print(f"harness: re-grading: {report.regrade}", file=sys.stderr)
    # Runs that share no graded case measured nothing: the outputs say so, and the exit code too.
    code = 2 if measured_nothing(report) else 0
    if args.out is None:  # printed to stdout, the diff carries its notes itself
        sys.stdout.write(render(report, formats[0] if args.format is not None else "md"))
        return code
    for comparison in report.comparisons:  # the headline a nightly log shows without opening the files
        print(f"{comparison.candidate_a} (A) → {comparison.candidate_b} (B): {comparison.headline}")
        if comparison.setup:
            print(f"  setup changed: {setup_text(comparison.setup)}")
        if comparison.usage is not None:
            print(f"  usage (A → B): {usage_text(comparison.usage)}")
    # The informational notes after the headlines, as the pages fold them below theirs (stdout flushed first:
    # a log that merges both streams keeps that order).
    sys.stdout.flush()
    for notice in report.notices + ([plan.notice] if plan.notice else []):
        print(f"harness: note: {notice}", file=sys.stderr)
    for fmt, path in write_diff(report, args.out, formats, plan).items():
        print(f"{fmt + ':':5} {path}")
    from harness.report.history_html import refresh_after_diff

    refresh_after_diff(args.out)  # a diff written into a results directory: its runs page links it at once
    return code


def validate(args: argparse.Namespace) -> int:
    from harness.config.overrides import overridden

    overrides = overrides_from(args)
    with overridden(overrides):
        code, evals = _validated(args.paths)
    if overrides and not evals:  # said, not silently ignored: the options change eval files only
        print(f"warn  {', '.join(overrides.words())}: no eval file among the paths, nothing to change",
              file=sys.stderr)
    return code


def _validated(paths: list[Path]) -> tuple[int, int]:
    """Validate ``paths``, printing a line per file; the exit code and how many eval files were among them."""
    from harness.cli.validation import Skipped, is_eval_file, validate_paths

    failures = checked = evals = 0
    for path, message in validate_paths(paths):
        if isinstance(message, Skipped):  # met in a directory, not a harness file
            print(f"skip  {path}{'/' if path.is_dir() else ''}: {message}")
            continue
        checked += 1
        evals += is_eval_file(path)
        ok = not isinstance(message, UserError)
        failures += not ok
        # An option's mistake names the option, not a file: the path says which of the files it is about.
        where = "" if ok or message.file else f"{path}: "
        print(f"ok    {path}: {message}" if ok else f"error {where}{message.one_line()}",
              file=sys.stdout if ok else sys.stderr)
        for warning in getattr(message, "warnings", ()):  # fields a check names that some cases lack
            print(f"warn  {warning}", file=sys.stderr)
        if ok and str(message).startswith("eval "):
            for warning in _unset_key_warnings(path):
                print(f"warn  {path}: {warning}", file=sys.stderr)
    if not checked:
        # "ok" about nothing would read as a pass in CI: say that nothing was validated.
        named = ", ".join(str(p) for p in paths)
        print(f"error {named}: no eval file, dataset or rubric found to validate", file=sys.stderr)
        return 2, evals
    return (2 if failures else 0), evals


def _unset_key_warnings(path: Path) -> list[str]:
    """A line for each ``api_key_env`` of a valid eval file whose variable is unset or empty: validate runs
    without keys (exit 0), but a run would refuse it before its first call."""
    from harness.config.evalfile import load_eval
    from harness.models.base import unset_key_env

    names: list[str] = []
    stack: list[Any] = [load_eval(path).spec.model_dump()]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            env = item.get("api_key_env")
            if isinstance(env, str) and env and env not in names:
                names.append(env)
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return [f"{unset_key_env(env)} (api_key_env): validate needs no key, but a run refuses to start without it"
            for env in names if not os.environ.get(env)]


def schema(args: argparse.Namespace) -> int:
    from harness.schemas import schema_of

    print(json.dumps(schema_of(args.name), indent=2))
    return 0

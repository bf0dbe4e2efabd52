"""The ``harness`` command: parse, call one library function, render.

Library errors become one line on stderr and an exit code:
0 success (every gate passed) · 1 a gate failed · 2 bad usage or input ·
3 the run did not complete within its error tolerance · 4 an internal error
(a bug: one line on stderr, the traceback in a file it names) · 130 interrupted (Ctrl-C) ·
143 terminated (SIGTERM), stopped as Ctrl-C stops a run.
Heavy libraries are imported only by the command that needs them.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import signal
import sys
from pathlib import Path

from harness.cli.once import Once
from harness.cli.override_opts import add_override_options

EXIT_OK, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 2, 4, 130, 143


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI job's timeout, ``docker stop``, systemd): stopped as Ctrl-C stops a run, so what was
    written stays and the manifest says ``interrupted``; exit code 143, as a shell reports SIGTERM."""


def _on_sigterm(signum, frame) -> None:
    raise Terminated()
# harness.schemas.NAMES, spelled here so that parsing the command line imports nothing (a test keeps them equal).
_SCHEMA_NAMES = ("case", "record", "manifest", "scorecard", "eval", "rubric", "diff", "calibration", "labels",
                 "pairwise", "gates")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="harness", description="Evaluate customer-support replies to difficult "
                                     "customers: replay complaints, grade with checks and judges, write scorecards.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_run(sub)
    _add_estimate(sub)
    _add_export(sub)
    accept = sub.add_parser("accept", help="mark a run as the accepted baseline of its eval")
    accept.add_argument("run_dir", type=Path)
    accept.add_argument("--force", action="store_true",
                        help="accept a run that did not pass its gates (with a warning)")
    accept.add_argument("--partial", action="store_true",
                        help="accept a run of some of the cases (--failing, --cases, --where, --limit): later runs' "
                             "regression gates compare those cases only (with a warning, and a note on each run)")
    _add_history(sub)
    _add_validate_and_report(sub)
    _add_diff(sub)

    from harness.cli.calibrate_cmd import add_parser as add_calibrate
    from harness.cli.pairwise_cmd import add_parser as add_pairwise
    from harness.cli.cache_cmd import add_parser as add_cache
    from harness.cli.label_cmd import add_parser as add_label
    from harness.cli.show_cmd import add_parser as add_show
    from harness.cli.generate_cmd import add_parser as add_generate

    add_show(sub)
    add_generate(sub)
    add_cache(sub)
    add_label(sub)
    add_calibrate(sub)
    add_pairwise(sub)
    schema = sub.add_parser("schema", help="print the JSON Schema of a file format")
    schema.add_argument("name", choices=list(_SCHEMA_NAMES))
    return parser


def _add_run(sub) -> None:
    run = sub.add_parser("run", help="run an eval file and write a scorecard")
    run.add_argument("eval", type=Path, help="eval file (YAML)")
    run.add_argument("--out", type=Path, help="results directory (default: results/<eval>-<time>)")
    run.add_argument("--limit", type=int, help="only the first N cases")
    _add_repeat(run)
    run.add_argument("--candidates", help="comma-separated candidate names to run (default: all); the part before @, "
                                          "or any start one candidate has, will do")
    _add_selection(run)
    run.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")
    run.add_argument("--retry-errors", action="store_true", help="with --resume: also redo errored cases")
    run.add_argument("--no-cache", action="store_true", help="do not read or write the model cache")
    run.add_argument("--cache", type=Path, help="model cache file (default: .harness-cache/models.sqlite)")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary table")
    run.add_argument("--batch", action="store_true", help="send model calls as OpenAI / Anthropic batches "
                     "(half price, hours not seconds) before the run; --resume polls instead of resending")
    run.add_argument("--baseline", metavar="RUN|accepted|accepted-if-any",
                     help="hold the run to its max_regression gates against this run, or the eval's accepted run "
                          "(accepted-if-any: run without a baseline while none is accepted, as on a first night)")
    run.add_argument("--trend-pngs", action="store_true",
                     help="also draw a trend PNG per criterion and check into OUT/trends/ (the report has them inline)")
    run.add_argument("--junit", choices=["gated", "all"], default=None,
                     help="what fails a case in junit.xml: only checks and criteria whose gate failed (gated, the "
                          "default, or $HARNESS_JUNIT), or every failing check and criterion (all)")
    add_override_options(run)


def _add_repeat(command) -> None:
    command.add_argument("--repeat", type=int, metavar="N", help="sample each case N times per model candidate: "
                         "the eval file's epochs, which this wins over (promptfoo's --repeat)")


def _add_selection(command) -> None:
    """The options that choose some of an eval's cases (``run`` and ``estimate``)."""
    command.add_argument("--cases", metavar="ID[,ID...]", help="only these case ids (shell patterns such as c01* "
                                                              "work; a turn case matches by its thread's id too)")
    command.add_argument("--where", metavar="FIELD=VALUE[,VALUE...]", action="append", default=[],
                         help="only cases whose persona, category, channel or metadata.KEY is one of the values "
                              "(repeat for several fields; \\, is a comma inside a value)")
    command.add_argument("--failing", metavar="RUN", help="only the cases that failed any check (built-in "
                         "ones included) or criterion, or erred, in RUN (of --candidates, if given)")
    command.add_argument("--failing-on", metavar="NAME[,NAME...]", help="with --failing: only failures of these "
                         "checks or criteria of RUN count (and errors that left them undecided)")


def _add_estimate(sub) -> None:
    estimate = sub.add_parser("estimate", help="calls, tokens and cost of running an eval file, before running it")
    estimate.add_argument("eval", type=Path, help="eval file (YAML)")
    estimate.add_argument("--limit", type=int, help="only the first N cases")
    _add_repeat(estimate)
    estimate.add_argument("--candidates", help="comma-separated candidate names (default: all); the part before @, "
                                               "or any start one candidate has, will do")
    _add_selection(estimate)
    add_override_options(estimate)
    estimate.add_argument("--reply-tokens", type=int, metavar="N", help="length of a model candidate's reply "
                          "(default: the mean of the dataset's recorded replies, capped by max_tokens)")
    estimate.add_argument("--latency", type=float, default=1.0, metavar="S",
                          help="seconds per call for the time floor (default: 1.0)")
    estimate.add_argument("--cache", type=Path, metavar="FILE", help="the model cache the run will use, read "
                          "to count the calls it already answers (default: .harness-cache/models.sqlite)")
    estimate.add_argument("--json", action="store_true", help="print the estimate as JSON")


def _add_export(sub) -> None:
    export = sub.add_parser("export", help="a run's records as one flat row each (CSV or JSONL), for a spreadsheet")
    export.add_argument("run_dir", type=Path)
    export.add_argument("--out", type=Path, help="write here (default: CSV to stdout); .jsonl means JSONL")
    export.add_argument("--format", choices=["csv", "jsonl"], help="csv or jsonl (default: from --out, else csv)")
    export.add_argument("--no-formula-escape", action="store_true",
                        help="write CSV cells starting with = + - @ as they are (a spreadsheet may run them)")
    export.add_argument("--excel", action="store_true", help="CSV for Excel on Windows: UTF-8 with a byte-order "
                        "mark and CRLF row ends, so Arabic, CJK and emoji open readable by double-click (without "
                        "it Excel guesses a legacy code page); formula escaping stays on. Plain CSV has no mark")
    export.add_argument("--force", action="store_true", help="replace the --out file even when it is not an "
                        "earlier export (an earlier export is replaced without it)")


def _add_validate_and_report(sub) -> None:
    validate = sub.add_parser("validate", help="validate datasets, rubrics and eval files")
    validate.add_argument("paths", nargs="+", type=Path, help="files or directories")
    add_override_options(validate)
    report = sub.add_parser("report", help="rebuild a run's scorecard and HTML report")
    report.add_argument("run_dir", type=Path)
    report.add_argument("--quiet", action="store_true", help="print only where the outputs are, not the summary table")


def _add_history(sub) -> None:
    history = sub.add_parser("history", help="list indexed runs with headline figures and gate results")
    history.add_argument("--eval", dest="eval_name", help="only runs of this eval")
    history.add_argument("--results", type=Path, default=Path("results"),
                         help="results directory holding index.sqlite (default: results)")
    history.add_argument("--charts", type=Path, metavar="DIR",
                         help="also write trend PNGs (one per criterion and check) here; needs --eval")
    history.add_argument("--last", type=int, help="only the last N runs (in the listing, the charts and the page)")
    history.add_argument("--html", nargs="?", const="", type=str, metavar="FILE",
                         help="also write the runs page for a browser (default FILE: <results>/index.html, which "
                              "every run refreshes; with --eval/--last, <results>/index-NAME[-last-N].html beside "
                              "it); an existing file is replaced only if it is such a page")


def _add_diff(sub) -> None:
    diff = sub.add_parser("diff", help="compare two runs, or two candidates of one run, with paired statistics")
    diff.add_argument("run_a", type=Path, help="run directory (side A)")
    diff.add_argument("run_b", type=Path, nargs="?", help="run directory (side B); omit to compare within RUN_A")
    diff.add_argument("--pair", action="append", metavar="A_CANDIDATE=B_CANDIDATE",
                      help="the candidates to compare (default: shared names; within one run, this or "
                           "--baseline-candidate); repeat to compare several pairs in one diff, each its own Holm "
                           "family")
    diff.add_argument("--baseline-candidate", action=Once, metavar="NAME",
                      help="compare candidate NAME of run A with every other candidate of the run (or with every "
                           "candidate of RUN_B), one section per pair")
    diff.add_argument("--out", type=Path, help="write the diff here (default: print diff.md to stdout); a run "
                                               "directory or one holding other files is refused, an earlier diff "
                                               "there is replaced whole")
    diff.add_argument("--format", help="with --out: comma-separated md,json,html (default: all three); without "
                                       "--out: the one format to print (default: md)")
    diff.add_argument("--allow-incomparable", action="store_true",
                      help="compare even if dataset, rubric, judge or check versions differ (outputs say so)")
    diff.add_argument("--min-effect", action=Once, metavar="1pp[,0.2pt]",
                      help="smallest change that counts: a significant row with a smaller |B - A| reads 'below "
                           "minimum effect', not improved/regressed (pp: pass rates; pt: 1-5 means)")
    diff.add_argument("--primary", action=Once, metavar="NAME[,NAME]",
                      help="criteria/checks decided on beforehand: each pair's Holm family is only these rows; the "
                           "others are exploratory (p unadjusted, marked so)")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(_negative_values_attached(sys.argv[1:] if argv is None else argv))
    if args.version:
        from harness import __version__
        print(f"harness {__version__}")
        return EXIT_OK
    if args.command is None:
        _parser().print_help()
        return EXIT_USAGE
    from harness.errors import RunNotFinished, UserError

    try:
        return _dispatch(args)
    except UserError as exc:
        for line in _error_lines(exc):
            print(f"harness: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except RunNotFinished as exc:  # not bad input: a provider that stopped answering about a submitted batch
        print(f"harness: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        print("harness: interrupted; continue with --resume", file=sys.stderr)
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED


def _error_lines(exc) -> list[str]:
    """One line for an error; every one of a file's errors where the file was written for another tool (each
    line names the harness's word for one of its keys, as ``harness validate`` shows them)."""
    from harness.errors import ForeignConfigError, OverrideError, SeveralErrors

    # A mistake of a command-line option among the file's: "harness validate FILE" would not list it.
    if isinstance(exc, SeveralErrors) and any(isinstance(e, (ForeignConfigError, OverrideError)) for e in exc.errors):
        return [e.one_line() for e in exc.errors] + ([f"(and {exc.more} more)"] if exc.more else [])
    return [exc.one_line()]


# Options whose value may start with a minus sign (``--min-effect -1pp``): argparse takes such a value for an
# option of its own ("expected one argument"), so it is attached (``--min-effect=-1pp``) and judged by the option.
_SIGNED_VALUE_OPTIONS = ("--min-effect",)
_SIGNED_VALUE = re.compile(r"-[0-9.]")


def _negative_values_attached(argv: list[str]) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--":
            return out + argv[index:]
        if (token in _SIGNED_VALUE_OPTIONS and index + 1 < len(argv)
                and _SIGNED_VALUE.match(argv[index + 1])):
            out.append(f"{token}={argv[index + 1]}")
            index += 2
            continue
        out.append(token)
        index += 1
    return out


def _dispatch(args: argparse.Namespace) -> int:
    from harness.cli import commands
    from harness.cli.calibrate_cmd import calibrate
    from harness.cli.pairwise_cmd import pairwise
    from harness.cli.cache_cmd import cache
    from harness.cli.label_cmd import label
    from harness.cli.show_cmd import show
    from harness.cli.generate_cmd import generate

    return {"calibrate": calibrate, "run": commands.run, "validate": commands.validate, "report": commands.report,
            "diff": commands.diff, "schema": commands.schema, "accept": commands.accept,
            "history": commands.history, "pairwise": pairwise, "estimate": commands.estimate,
            "export": commands.export, "show": show, "cache": cache, "label": label,
            "generate": generate}[args.command](args)


def cli_entry() -> None:
    """The ``harness`` command: :func:`main`, then exit without the interpreter's final collection.

    Python's shutdown walks every live object looking for reference cycles; after
    a 2,000-case run that walk took ~0.4 s, all of it after the last output was
    written. Every output is written and closed by now (atomic writes), so the
    objects are frozen (``gc.freeze``) and the walk skipped. Only the process
    entry point does this: ``main`` called in-process (tests, other tools) keeps
    the collector as it is.
    """
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        code = _reader_gone()
    except Exception as exc:  # noqa: BLE001 - the process boundary: a bug must not read as "a gate failed"
        code = _internal_error(exc)
    gc.freeze()
    sys.exit(code)


def _reader_gone() -> int:
    """The reader went away (``harness history | head``): what it read is all it wanted. Output
    still buffered goes nowhere, so the interpreter's own flush at exit does not fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 141  # as a shell reports a process ended by SIGPIPE


def _internal_error(exc: Exception) -> int:
    """One line on stderr and exit code 4 for an exception no command expected (a bug).

    Exit code 1 means "a gate failed" to CI, and Python's own crash exit is 1, so an
    uncaught exception would read as a verdict. The traceback goes to a file named in
    the line (or to stderr with ``HARNESS_DEBUG=1``), for the bug report.
    """
    import tempfile
    import time
    import traceback

    from harness.records.redaction import redact  # a library's message may quote a key or a header

    text = redact("".join(traceback.format_exception(exc)))
    what = redact(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": "))
    if os.environ.get("HARNESS_DEBUG"):
        sys.stderr.write(text)
        where = "traceback above"
    else:
        try:
            fd, path = tempfile.mkstemp(prefix=f"harness-crash-{time.strftime('%Y%m%d-%H%M%S')}-", suffix=".txt")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            where = f"traceback in {path}"
        except OSError:
            sys.stderr.write(text)
            where = "traceback above"
    print(f"harness: internal error (a bug, please report it): {what} ({where})", file=sys.stderr)
    return EXIT_INTERNAL


if __name__ == "__main__":
    cli_entry()

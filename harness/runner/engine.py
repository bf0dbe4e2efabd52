"""Running an eval: plan, then every case × candidate concurrently, each record written as it finishes.

``run_eval`` is the synchronous facade over ``run_eval_async``. A run can be
interrupted at any point and continued with ``resume=True``: finished records
are kept, only the missing ones are evaluated (and, with ``retry_errors=True``,
the ones that ended in an error: from the reply when there is none, else only their judge's failed criteria
and crashed checks, on the reply they have: :mod:`harness.runner.retry`).
"""

from __future__ import annotations

import asyncio
import sys
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Mapping

from harness.config.evalfile import LoadedEval, load_eval
from harness.datasets.perturb import is_variant
from harness.datasets.selection import CaseSelection
from harness.errors import ResultsError
from harness.gc_pause import long_lived_frozen
from harness.models.cache import ResponseCache
from harness.records.schema import Manifest, Record
from harness.records.store import (LOCK, MANIFEST, RECORDS, RecordWriter, RunDirLock, atomic_write_text,
                                   iter_records, read_manifest, remove_stale_temps, repair_torn_tail,
                                   write_manifest)
from harness.runner.evaluate import evaluate_case
from harness.runner.outputs import RunOutputs, finalize_run, load_cases
from harness.records.timestamps import now_iso
from harness.runner.manifest import build_manifest
from harness.runner.plan import RunPlan, build_plan, perturb_notes
from harness.runner.retry import RetryPlan, plan_retry, redo_verdicts, remove_pending
from harness.runner.tally import CaseSnapshot, RunTally

ProgressCallback = Callable[[Record], None]


@dataclass
class RunOptions:
    """What the user chose on the command line (or in code) for one run."""

    out: Path | None = None
    limit: int | None = None
    candidates: list[str] | None = None
    resume: bool = False
    retry_errors: bool = False
    use_cache: bool = True
    cache_path: Path | None = None
    on_record: ProgressCallback | None = None
    # (tasks to do, tasks already done, those to do that answer a perturbed variant: not in the headline rates)
    on_start: Callable[[int, int, int], None] | None = None
    batch: bool = False  # fill the cache from provider batch APIs first (harness.batch)
    selection: CaseSelection = field(default_factory=CaseSelection)  # --cases, --where, --failing
    # Called with the plan and its manifest before anything is written or called (a gated run's
    # baseline check); it refuses by raising a UserError.
    check_plan: Callable[[RunPlan, Manifest], None] | None = None


@dataclass
class RunResult:
    run_dir: Path
    manifest: Manifest
    outputs: RunOutputs
    evaluated: int = 0
    skipped: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    tally: RunTally | None = None  # what gate_run needs from the records, gathered as they were written


def default_out(loaded: LoadedEval) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("results") / f"{loaded.name}-{stamp}"


def run_eval(eval_path: str | Path, options: RunOptions | None = None) -> RunResult:
    """Run the eval file at ``eval_path`` to completion (sync facade)."""
    return asyncio.run(run_eval_async(eval_path, options or RunOptions()))


async def run_eval_async(eval_path: str | Path, options: RunOptions) -> RunResult:
    loaded = load_eval(eval_path)
    run_dir = Path(options.out) if options.out else default_out(loaded)
    _check_run_dir(run_dir, options)
    cache = ResponseCache(options.cache_path) if options.use_cache else None
    plan = build_plan(loaded, limit=options.limit, candidate_names=options.candidates, cache=cache,
                      selection=options.selection)
    if options.check_plan is not None:
        options.check_plan(plan, build_manifest(plan))
    # Before the first call: epochs that will repeat one answer, recorded candidates that will lack replies at
    # some turns, models whose own concurrency the eval's caps (harness validate warns of each).
    for notice in plan.epoch_notes + plan.turn_notes + perturb_notes(plan):
        print(f"harness: note: {notice}", file=sys.stderr)
    run_dir.mkdir(parents=True, exist_ok=True)
    with RunDirLock(run_dir):
        # Checked again under the lock: another run may have started (or finished) in this
        # directory since the first look, and its records must not be appended to.
        _check_run_dir(run_dir, options)
        remove_stale_temps(run_dir)
        manifest, cases = _start_manifest(run_dir, plan, options)
        tally = RunTally.for_run(manifest, cases)
        retry = _prepare_records(run_dir, options.retry_errors, tally, planned=set(_keys(plan)))
        done = {r.key for r in retry.kept}
        line = retry.start_line() if options.retry_errors else None
        if line:
            print(f"harness: --retry-errors: {line}", file=sys.stderr)
        # Written once the records are known to be readable: a resume refused over a damaged
        # records file leaves the manifest (and so the run's status) as it was.
        write_manifest(run_dir, manifest)
        if options.batch:  # a kept reply needs no responder call: not batched
            await _prefill_from_batches(plan, run_dir, manifest, done | set(retry.rejudge), options, cache)
        result = await _execute(plan, run_dir, manifest, done, options, cache, tally, retry.rejudge)
    if cache is not None:
        cache.close()
    return result


def _check_run_dir(run_dir: Path, options: RunOptions) -> None:
    if run_dir.exists() and not run_dir.is_dir():
        raise ResultsError("is a file, not a directory; choose another --out", file=str(run_dir))
    has_run = (run_dir / MANIFEST).exists() or (run_dir / RECORDS).exists()
    if has_run and not options.resume:
        raise ResultsError("already holds a run; add --resume to continue it, or choose another --out",
                           file=str(run_dir))
    if not has_run and not options.resume:
        foreign = _foreign_entries(run_dir)
        if foreign and RunDirLock.held(run_dir):
            # Another run started here a moment ago: it writes its case snapshot before its manifest.
            raise ResultsError("another run is writing into this directory", file=str(run_dir))
        if foreign:
            # A run writes summary.md, report.html, scorecard.md... into --out: files of the user's own there
            # (a mistyped --out . or --out docs) would be replaced without a word.
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise ResultsError(f"is not empty and holds no run ({shown}); a run would overwrite files there: "
                               "choose a new or empty --out", file=str(run_dir))
    if options.resume and not has_run:
        raise ResultsError("nothing to resume here (no manifest.json)", file=str(run_dir))
    if options.retry_errors and not options.resume:
        raise ResultsError("--retry-errors goes with --resume", file=str(run_dir))


def _foreign_entries(run_dir: Path) -> list[str]:
    """Names in ``run_dir`` that no run of this harness left there before its manifest (sorted; none when the
    directory does not exist). The lock file and atomic writes' temp files are the harness's own."""
    try:
        names = sorted(entry.name for entry in run_dir.iterdir())
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ResultsError(f"cannot read the directory: {exc.strerror}", file=str(run_dir)) from None
    return [name for name in names if name != LOCK and not (name.startswith(".") and name.endswith(".tmp"))]


def _settings(candidate: dict) -> dict:
    """A manifest's candidate record without its prompt's text: ``prompt_sha256`` stands for it, and a run begun
    by a harness that did not record the text (manifest v1) can still be resumed."""
    return {key: value for key, value in candidate.items() if key != "prompt_template"}


def _what_changed(before: dict[str, dict], shared: list[dict]) -> str:
    """`` (bot: temperature 0.2 → 0.7; prompt text +1 −2 lines)``: which candidate changed and how, as the
    diff's setup line says it; a setting the diff leaves out (concurrency, timeouts, ...) by its name."""
    from harness.compare.setup import setup_changes, setup_text

    found = []
    for now in shared:
        name, then = now.get("name"), before[now.get("name")]
        if _settings(then) == _settings(now):
            continue
        changes, _ = setup_changes([then], name, [now], name)
        if not changes:
            model_then, model_now = then.get("model") or {}, now.get("model") or {}
            keys = sorted(k for k in {*model_then, *model_now} if model_then.get(k) != model_now.get(k))
            found.append(f"{name}: {', '.join(keys) or 'settings'}")
        else:
            found.append(f"{name}: {setup_text(changes)}")
    return f" ({'; '.join(found)})" if found else ""


def _start_manifest(run_dir: Path, plan: RunPlan, options: RunOptions) -> tuple[Manifest, Mapping[str, dict]]:
    """The run's manifest (the caller writes it) and its case snapshot by id (written on a new run, read on a
    resumed one)."""
    manifest = build_manifest(plan)
    if options.resume:
        previous = read_manifest(run_dir)
        if previous.eval_spec != manifest.eval_spec or previous.dataset["sha256"] != manifest.dataset["sha256"]:
            raise ResultsError("the eval file or dataset changed since this run started (or an environment "
                               "variable the eval file reads); start a new run with another --out", file=str(run_dir))
        # A resume may run more candidates than the start did (--candidates); those both ran must be the same.
        before_candidates = {c.get("name"): c for c in previous.candidates}
        shared = [c for c in manifest.candidates if c.get("name") in before_candidates]
        changed = [what for what, before, now in (
            ("checks (a check's version: its code, or a check file of your own)", *_check_state(previous, manifest)),
            ("candidate settings (a prompt template file, a model's settings)",
             [_settings(before_candidates[c.get("name")]) for c in shared], [_settings(c) for c in shared]),
            ("rubric", previous.rubric, manifest.rubric)) if before != now]
        if changed:
            # Records graded by two versions of one thing would be mixed in one run.
            what = _what_changed(before_candidates, shared) if changed[0].startswith("candidate") else ""
            raise ResultsError(f"the {changed[0]} changed since this run started{what}; start a new run with "
                               "another --out", file=str(run_dir))
        selected = previous.dataset.get("selected_sha256")
        if selected is not None and selected != manifest.dataset.get("selected_sha256"):
            raise ResultsError("these options select other cases than the run started with (--limit, --cases, "
                               "--where, --failing): give the same ones to resume it", file=str(run_dir))
        manifest.started_at = previous.started_at
        cases = load_cases(run_dir)  # the snapshot the run started with, which the report shows
    else:
        cases = _write_cases(run_dir, plan)
    return manifest, cases


def _check_state(previous: Manifest, manifest: Manifest) -> tuple[object, object]:
    """Before and now, equal when a resume may go on: the same checks, none of another version (a case's own
    check compared as diffs compare it: its spec is in the dataset, whose hash is compared already)."""
    from harness.compare.guard import changed_checks

    return (sorted(previous.checks), []), (sorted(manifest.checks), changed_checks(previous.checks, manifest.checks))


def _write_cases(run_dir: Path, plan: RunPlan) -> CaseSnapshot:
    """A snapshot of the evaluated cases, so reports and diffs never depend on the dataset file later.

    Returns the snapshot by id as :func:`~harness.runner.outputs.load_cases` would read it back (from the
    written lines), so the report rows rendered during the run need not read the file.
    """
    lines = [case.model_dump_json() for case in plan.cases]
    atomic_write_text(run_dir / "cases.jsonl", "\n".join(lines) + "\n")
    return CaseSnapshot({case.id: line for case, line in zip(plan.cases, lines)})


def _prepare_records(run_dir: Path, retry_errors: bool, tally: RunTally | None = None,
                     planned: set | None = None) -> RetryPlan:
    """Repair a torn tail; when retrying errors, set aside the errored records this resume asks again (of the
    ``planned`` keys); return what is kept (the records a resumed run continues from, folded into ``tally``
    from this one read) and what is asked again."""
    repair_torn_tail(run_dir / RECORDS)
    retry = plan_retry(run_dir, list(iter_records(run_dir)), retry_errors, planned)
    if tally is not None:
        for record in retry.kept:
            tally.fold(record)
    return retry


def _keys(plan: RunPlan):
    """The (case, candidate, sample) of every task the plan evaluates."""
    return ((case.id, responder.name, sample) for case in plan.cases for responder in plan.responders
            if plan.answers(responder, case) for sample in range(_epochs(plan, responder.name)))


async def _prefill_from_batches(plan: RunPlan, run_dir: Path, manifest: Manifest, done: set, options: RunOptions,
                                cache: ResponseCache | None) -> None:
    """The batch stages (:mod:`harness.batch`). Left early, by Ctrl-C, a crash or a refused batch, the run is
    ``interrupted``: its batch state is saved, and ``--resume`` polls what was sent."""
    from harness.batch import BatchOptions, prefill_from_batches

    try:
        await prefill_from_batches(plan, run_dir, done, cache, BatchOptions(retry_failed=options.retry_errors))
    except BaseException:
        _mark_interrupted(run_dir, manifest)
        raise


def _mark_interrupted(run_dir: Path, manifest: Manifest) -> None:
    manifest.status = "interrupted"
    write_manifest(run_dir, manifest)


async def _execute(plan: RunPlan, run_dir: Path, manifest: Manifest, done: set, options: RunOptions,
                   cache: ResponseCache | None = None, tally: RunTally | None = None,
                   rejudge: Mapping[tuple[str, str, int], Record] | None = None) -> RunResult:
    """Evaluate every task not ``done``; each record is written, then folded into ``tally`` (the end-of-run
    outputs' state, filled while the loop would otherwise wait on the network), then the outputs are built.
    A task in ``rejudge`` keeps that record's reply and asks only its failed verdicts again."""
    rejudge = rejudge or {}
    todo = [(case, responder, sample) for case in plan.cases for responder in plan.responders
            if plan.answers(responder, case)
            for sample in range(_epochs(plan, responder.name)) if (case.id, responder.name, sample) not in done]
    if options.on_start:
        perturbing = plan.loaded.spec.perturb is not None
        options.on_start(len(todo), len(done), sum(perturbing and is_variant(case) for case, _, _ in todo))
    # An in-process model serves one call at a time; running cases one after another keeps the
    # successive judge calls of a case together, so the model reuses their shared prompt prefix.
    limit = 1 if plan.uses_in_process_model else plan.loaded.spec.concurrency
    pending = iter(todo)  # shared by the workers: each task is taken by exactly one of them
    writer = RecordWriter(run_dir)
    errors: dict[str, int] = {}

    async def worker() -> None:
        # ``limit`` workers rather than a task per case waiting on a semaphore: waking one of
        # thousands of waiters costs asyncio time proportional to the waiters on every release.
        for case, responder, sample in pending:
            old = rejudge.get((case.id, responder.name, sample))
            record = await (evaluate_case(case, responder, plan.checks_for(case), plan.judge, sample) if old is None
                            else redo_verdicts(old, case, plan.checks_for(case), plan.judge))
            writer.write(record)
            if tally is not None:
                tally.fold(record)
            if record.error is not None:
                errors[record.error.kind] = errors.get(record.error.kind, 0) + 1
            if options.on_record:
                options.on_record(record)

    try:
        # Cache rows are written in small batches during the loop (records stay one flushed line each).
        # The plan, cases and imports live to the end: frozen, no collection in the loop walks them.
        with long_lived_frozen(), cache.deferred_writes() if cache is not None else nullcontext():
            await asyncio.gather(*(worker() for _ in range(min(limit, len(todo)))))
    except BaseException:
        # Ctrl-C, a cancelled task, or a bug outside a case's own fault handling: what was written stays,
        # and the manifest says the run can be continued with --resume (it would say "running" forever).
        _mark_interrupted(run_dir, manifest)
        raise
    finally:
        writer.close()
    manifest.finished_at, manifest.status = now_iso(), "complete"
    write_manifest(run_dir, manifest)
    remove_pending(run_dir)  # every reply set aside for a re-judge is back in records.jsonl
    # Indexed before report.html, so its trends include this run.
    outputs = finalize_run(run_dir, index=True, tally=tally)
    return RunResult(run_dir=run_dir, manifest=manifest, outputs=outputs, evaluated=len(todo),
                     skipped=len(done), errors=errors, tally=tally)


def _epochs(plan: RunPlan, candidate: str) -> int:
    """Samples per case of ``candidate`` (``epochs`` in the eval file); each sample is its own record."""
    return next((c.epochs for c in plan.loaded.spec.candidates if c.name == candidate), 1)

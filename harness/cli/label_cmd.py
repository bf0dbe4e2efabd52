"""``harness label RUN --labels FILE --labeller NAME``: label a run's replies by hand, one question at a time.

See :mod:`harness.calibration.labelling` for what is asked and how it is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO

from harness.cli.label_session import Session, done_keys, open_labels


def add_parser(sub) -> None:
    """Register the ``label`` sub-command."""
    label = sub.add_parser("label", help="label a run's replies by hand, for calibrate (saved as you go)")
    label.add_argument("run_dir", type=Path, help="run directory")
    label.add_argument("--labels", type=Path, required=True, help="label file to append to (JSONL; created if "
                                                                  "missing); what you labelled in it is skipped")
    label.add_argument("--labeller", required=True, help="your name, written on every label")
    label.add_argument("--criteria", help="comma-separated rubric criteria (default: every criterion of the run's "
                                          "rubric, unless --checks is given; every check in a checks-only run)")
    label.add_argument("--checks", help="comma-separated checks to label as pass/fail")
    label.add_argument("--candidates", help="comma-separated candidate names (default: all); the part before @, "
                                            "or any start one candidate has, will do")
    label.add_argument("--cases", metavar="ID[,ID...]", help="only these case ids (shell patterns such as c01* work)")
    label.add_argument("--limit", type=int, metavar="N", help="stop after N labels")
    label.add_argument("--shuffle", type=int, metavar="SEED", help="ask in a shuffled order (repeatable by seed)")
    label.add_argument("--by-candidate", action="store_true", help="name replies by candidate, not by their text "
                                                                   "(only for recorded candidates, whose replies "
                                                                   "do not change between runs)")
    label.add_argument("--show-verdicts", action="store_true",
                       help="show the run's own verdict before asking (off by default: it anchors the labeller)")
    _add_pick_options(label)


def _add_pick_options(label) -> None:
    """The annotation-queue options: which doubtful replies to ask about, and a reviewer's share of them."""
    doubt = label.add_argument_group(
        "an annotation queue", "the doubt options look at the run's verdict on each criterion or check asked "
                               "about a reply, and keep the question when any option given holds (--failing "
                               "--borderline asks both kinds); all of these narrow --cases and --candidates")
    doubt.add_argument("--failing", action="store_true",
                       help="the check fails, or the judge scored the criterion below its pass threshold")
    doubt.add_argument("--borderline", action="store_true",
                       help="the criterion scored at its scale's middle (3 of 1-5), or its judge was unsure (a "
                            "weighted score near 3, or a 25-75%% chance of pass, when the judge reported "
                            "probabilities); a check is never borderline")
    doubt.add_argument("--disagree", action="store_true",
                       help="the criterion and the check of the same name give opposite verdicts, or a judge "
                            "panel split on its pass/fail")
    doubt.add_argument("--from-diff", type=Path, metavar="DIFF_DIR",
                       help="only the cases `harness diff` listed as changed in DIFF_DIR/diff.json (this run "
                            "must be one of its two), by the change of the verdict asked about: its pass->fail "
                            "flips first, then fail->pass, then other changes; then the verdicts that stayed "
                            "the same on a changed case (replies whose text alone changed last)")
    doubt.add_argument("--share", metavar="K/N",
                       help="reviewer K of N: a fixed share of the replies (by case id and candidate), so N "
                            "reviewers label in parallel without overlap")


def label(args: argparse.Namespace, stdin: IO[str] | None = None) -> int:
    from harness.calibration import labelling
    from harness.cli.candidate_names import in_run
    from harness.datasets.selection import parse_ids
    from harness.errors import ConfigError
    from harness.records.store import check_candidates, read_manifest
    from harness.report.show import ShowFilter, case_rows

    manifest = read_manifest(args.run_dir)
    if args.limit is not None and args.limit < 1:
        raise ConfigError("must be at least 1", field="--limit")
    if not args.labeller.strip():
        raise ConfigError("give your name (it is written on every label)", field="--labeller")
    candidates = in_run(args.run_dir, _names(args.candidates, "--candidates", "candidate names", "bot-v1,bot-v2"),
                        "--candidates")
    check_candidates(args.run_dir, candidates, "--candidates")
    targets = _targets(args, manifest)
    cases = case_rows(args.run_dir)
    picks = _picks(args, manifest, targets)
    selected = _selected(args, manifest, ShowFilter(cases=parse_ids(args.cases), candidates=candidates), cases)
    records = [r for r in selected if picks.keeps(r)]  # --from-diff, --share
    _say_default(args, targets)
    if args.by_candidate:
        _check_recorded(manifest, records)
    # The label file is opened for append (and read) before the first question: a path that cannot
    # be written would otherwise fail at the first answer, which would be lost.
    writer = labelling.LabelWriter(args.labels)
    try:
        open_labels(writer)
        items = _queue(args, records, selected, targets, picks, cases)
        if not items:
            return 0
        session = Session(args, items, cases, stdin or sys.stdin, writer)
        session.run()
    finally:
        writer.close()
    left = len(items) - session.labelled  # a skipped reply is still unlabelled: the next session asks it again
    print(f"labelled {session.labelled} ({args.labels}); skipped {session.skipped}; "
          f"{_left_words(left, session.labelled, args.limit)}")
    if session.labelled:
        print(f"next: harness calibrate --labels {args.labels} {args.run_dir}")
    return 0


def _selected(args: argparse.Namespace, manifest, chosen, cases: dict) -> list:
    """The run's records ``chosen`` keeps (--cases, --candidates), in the dataset's order and the eval's
    candidate order (a run writes records as they finish); a case pattern no record matches is warned of."""
    from harness.datasets.selection import id_matches
    from harness.records.store import iter_records

    case_order = {case_id: i for i, case_id in enumerate(cases)}
    candidate_order = {str(c.get("name")): i for i, c in enumerate(manifest.candidates)}
    selected = sorted((r for r in iter_records(args.run_dir) if chosen.keeps(r)),
                      key=lambda r: (case_order.get(r.case_id, len(case_order)), r.case_id,
                                     candidate_order.get(r.candidate, 0), r.sample))
    if not selected:
        _nothing_matches(args)
    for pattern in chosen.cases:  # a typo in a list of ids: said before the questions, not silently dropped
        if not any(id_matches(r.case_id, pattern) for r in selected):  # before the doubt options: not a typo
            print(f"harness: warning: no record of {args.run_dir} matches {pattern}"
                  + (" with the options given" if chosen.candidates else ""), file=sys.stderr)
    return selected


def _queue(args: argparse.Namespace, records: list, selected: list, targets: list, picks, cases: dict) -> list:
    """The questions to ask, in order; empty once the reason is said (nothing left for this labeller, or the
    doubt options keep nothing); nothing to label at all is a bad selection (ConfigError)."""
    from harness.calibration import labelling, picking
    from harness.errors import ConfigError

    done = done_keys(args.labels)
    items = labelling.pending_items(records, targets, done, args.labeller, args.by_candidate, args.shuffle,
                                    picks.doubtful, cases)
    if args.shuffle is None:  # --from-diff: each question by how its own verdict changed
        items = picks.order(items)
    if not items and not labelling.pending_items(selected, targets, set(), args.labeller, False, cases=cases):
        raise ConfigError(f"nothing to label: none of the {len(selected)} selected records of run "
                          f"{args.run_dir} has a reply to which {_what(targets)} applies"
                          f"{_own_words(targets, cases)}")
    if not items and picking.words(args) and not labelling.pending_items(
            records, targets, set(), args.labeller, False, keep=picks.doubtful, cases=cases):
        # An empty queue is an answer (no reply fails), not a typo: said, with exit code 0.
        print(f"nothing to label in {args.run_dir}: {picking.words(args)} keeps no reply for {_what(targets)}")
        return []
    if not items:
        print(f"nothing left to label in {args.run_dir} for {args.labeller} (labels: {args.labels})")
        return []
    if picking.words(args):
        unpicked = len(labelling.pending_items(selected, targets, done, args.labeller, args.by_candidate,
                                               cases=cases))
        print(f"queue: {len(items)} to label, kept by {picking.words(args)} (of {unpicked} unlabelled)")
        if args.from_diff is not None:
            print(_diff_words(picks.changed(items), len(items), args.shuffle is not None))
    return items


def _diff_words(changed: int, queued: int, shuffled: bool) -> str:
    """What ``--from-diff`` asks first: the questions whose own verdict the diff saw change."""
    first = "" if shuffled else " first (pass->fail flips, then fail->pass, then other moves)"
    return (f"--from-diff: {changed} whose own verdict changed{first}; {queued - changed} whose verdict "
            f"stayed the same on a changed reply{'' if shuffled else ' after them'}")


def _left_words(left: int, labelled: int, limit: int | None) -> str:
    """What is left, measured against what the session was asked for: ``--limit 4 reached; 133 more left``
    (not ``133 left`` as if the session had stopped short), or ``2 left of --limit 4; 137 left in all``."""
    if limit is None or not left:
        return f"{left} left"
    if labelled >= limit:
        return f"--limit {limit} reached; {left} more left (run again to go on)"
    return f"{min(limit - labelled, left)} left of --limit {limit}; {left} left in all"


def _names(raw: str | None, option: str, what: str, example: str) -> tuple[str, ...]:
    """A comma-separated option's names; an empty list or name is refused (it would select everything,
    or nothing, silently)."""
    from harness.errors import ConfigError

    if raw is None:
        return ()
    names = tuple(name.strip() for name in raw.split(","))
    if not all(names):
        raise ConfigError(f"give {what} separated by commas (e.g. {example}); got {raw!r}", field=option)
    return names


def _picks(args: argparse.Namespace, manifest, targets: list):
    from harness.calibration.picking import picks_for

    return picks_for(manifest, args.run_dir, targets, failing=args.failing, borderline=args.borderline,
                     disagree=args.disagree, share=args.share, from_diff=args.from_diff)


def _nothing_matches(args: argparse.Namespace) -> None:
    """Refuse a selection that matches no record of the run (a typo would read as "all labelled")."""
    from harness.errors import ConfigError

    chosen = [f"{option} {value}" for option, value in (("--cases", args.cases), ("--candidates", args.candidates))
              if value is not None]
    if not chosen:
        raise ConfigError(f"run {args.run_dir} has no records to label")
    raise ConfigError(f"no record of run {args.run_dir} matches {' '.join(chosen)} "
                      f"(`harness show {args.run_dir}` lists them)")


def _what(targets: list) -> str:
    names = [f"{t.kind} {t.name}" for t in targets]
    return names[0] if len(names) == 1 else f"any of {', '.join(names)}"


def _own_words(targets: list, cases: dict) -> str:
    """Where the cases' own criteria asked are (a case id that was mistyped reads the same as one without)."""
    words = []
    for target in (t for t in targets if t.own):
        carry = [case_id for case_id, row in cases.items() if "~" not in case_id
                 and any(isinstance(d, dict) and d.get("id") == target.name for d in row.get("criteria") or ())]
        shown = ", ".join(carry[:5]) + (f" and {len(carry) - 5} more" if len(carry) > 5 else "")
        words.append(f"{target.name} is a case's own criterion, asked only on the cases that carry it"
                     + (f" ({shown}, and their variants)" if carry else ""))
    return f" ({'; '.join(words)})" if words else ""


def _check_recorded(manifest, records: list) -> None:
    """Refuse ``--by-candidate`` on a model candidate: a label naming it would grade whatever reply a
    later run of it gives, which nobody read."""
    from harness.errors import ConfigError

    selected = {r.candidate for r in records}
    model = [str(c.get("name")) for c in manifest.candidates
             if c.get("kind") == "model" and str(c.get("name")) in selected]
    model += sorted({r.candidate for r in records if r.reply_source == "model"} - set(model))
    if model:
        raise ConfigError(f"candidate{'s' if len(model) > 1 else ''} {', '.join(model)} "
                          f"{'write their' if len(model) > 1 else 'writes its'} replies with a model, so a label "
                          f"by candidate name would grade whatever reply a later run gives: leave out "
                          f"--by-candidate to name replies by their text, or choose recorded candidates with "
                          f"--candidates", field="--by-candidate")


def _targets(args: argparse.Namespace, manifest) -> list:
    """The criteria and checks to label, checked against the run (with the rubric's words when readable)."""
    from harness.calibration.labelling import Target
    from harness.datasets.case_criteria import is_case_criterion
    from harness.errors import ConfigError

    criteria = (manifest.rubric or {}).get("criteria") or {}
    wanted = list(_names(args.criteria, "--criteria", "criterion ids", "acknowledgement,apology_quality"))
    checks = list(_names(args.checks, "--checks", "check names", "apology_wording,no_contradiction"))
    if not wanted and not checks:  # what the run has: its judge criteria, else its checks (_say_default says)
        wanted, checks = (list(criteria), []) if criteria else ([], list(manifest.checks))
        if not wanted and not checks:
            raise ConfigError(f"run {args.run_dir} has no judge criteria and no checks to label", field="--criteria")
    _refuse_unknown(args.run_dir, wanted, list(criteria), "criterion", "--criteria")
    _refuse_unknown(args.run_dir, checks, list(manifest.checks), "check", "--checks")
    words = _rubric_words(manifest)
    found = [Target("criterion", name, str(criteria[name].get("scale", "1-5")), *words.get(name, ("", ())),
                    own=is_case_criterion(criteria[name])) for name in wanted]
    return found + [Target("check", name, "pass_fail", _check_question(name)) for name in checks]


def _say_default(args: argparse.Namespace, targets: list) -> None:
    """One line naming what was chosen for the user (neither --criteria nor --checks given), once the options
    are known good: a refused selection keeps its one-line error."""
    if args.criteria is not None or args.checks is not None:
        return
    names = ", ".join(t.name for t in targets)
    if targets and targets[0].kind == "criterion":
        print(f"harness: labelling the judge criteria of {args.run_dir} ({names}); name --checks to label checks",
              file=sys.stderr)
    else:
        print(f"harness: labelling the checks of {args.run_dir} ({names}): it has no judge criteria; "
              "name --checks to label some of them", file=sys.stderr)


def _refuse_unknown(run_dir: Path, names: list[str], known: list[str], what: str, field: str) -> None:
    """A ConfigError for the ``names`` the run has no ``what`` of: the closest it has (one typo), then all."""
    from harness.config.yamlfile import did_you_mean
    from harness.errors import ConfigError

    unknown = [name for name in names if name not in known]
    if unknown:
        hint = did_you_mean(unknown[0], known) if len(unknown) == 1 else ""
        raise ConfigError(f"run {run_dir} has no {what} {', '.join(unknown)}{hint} (it has: "
                          f"{', '.join(known) or 'none'})", field=field)


def _rubric_words(manifest) -> dict[str, tuple[str, tuple]]:
    """Each criterion's question and levels, from the run's rubric file if it is still the one the run used."""
    from harness.judges.rubric import load_rubric, rubric_criterion_ids

    rubric = manifest.rubric or {}
    path = rubric.get("path")
    if not isinstance(path, str):
        return {}
    for candidate in (Path(path), Path(manifest.eval_file.path).parent / path):
        try:  # the run records the hash of the criteria it judged
            loaded = load_rubric(candidate).select(rubric_criterion_ids(rubric))
        except Exception:  # moved, changed or unreadable: label without its words
            continue
        if loaded.sha256 == rubric.get("sha256"):
            return {c.id: (c.question, tuple(c.levels.items())) for c in loaded.criteria}
    return {}


def _check_question(name: str) -> str:
    from harness.checks.base import registry

    check = registry().get(name)
    return f"Does the reply pass {name}? ({check.description})" if check else f"Does the reply pass {name}?"

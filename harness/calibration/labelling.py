"""Labelling a run's replies by hand, for :mod:`harness.calibration` to measure the judge against.

``harness label`` walks a run's replies and asks a person for a verdict on each
target (a rubric criterion or a check), one at a time, and appends each answer to
a label file at once (:class:`LabelWriter`), so an interrupted session loses
nothing and a later one goes on where it stopped: what a labeller already
labelled in the file is skipped (:func:`pending_items`).

A label names its reply by the reply's exact text by default, so it stays valid
for any run that has the same reply (a model candidate rerun gives other
replies, and a label by candidate name would then grade a reply nobody read);
``by_candidate`` writes the candidate's name instead, as the shipped labels of
recorded candidates do.

The machine's verdicts are hidden by default: a labeller who sees the judge's
score first tends to agree with it, which would inflate the agreement
:func:`~harness.calibration.calibrate.calibrate_run` measures.
"""

from __future__ import annotations

import errno
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Mapping

from harness.calibration.labels import HumanLabel, load_labels
from harness.records.schema import Record

PASS_WORDS = {"p": 1.0, "pass": 1.0, "y": 1.0, "yes": 1.0, "1": 1.0,
              "f": 0.0, "fail": 0.0, "n": 0.0, "no": 0.0, "0": 0.0}


@dataclass(frozen=True)
class Target:
    """What is labelled: a rubric criterion (``1-5`` or ``pass_fail``) or a check (always ``pass_fail``)."""

    kind: str  # "criterion" or "check"
    name: str
    scale: str
    question: str = ""
    levels: tuple[tuple[str, str], ...] = ()
    own: bool = False  # a case's own criterion (the manifest marks it ``case``): asked only on cases carrying it


@dataclass(frozen=True)
class Item:
    """One reply and one target to label."""

    record: Record
    target: Target


@dataclass(frozen=True)
class Answer:
    """What a labeller typed: a label (with a note), or an action (``skip``, ``quit``, ``help``)."""

    label: float | None = None
    note: str = ""
    action: str | None = None


def parse_answer(text: str, scale: str) -> Answer | str:
    """A labeller's line as an :class:`Answer`, or a one-line complaint to show before asking again.

    ``4``, ``4 names the order`` (a label and a note), ``p``/``pass``/``y``/``1`` and
    ``f``/``fail``/``n``/``0`` on pass/fail, ``s`` skip, ``q`` quit, ``?`` help.
    """
    word, _, note = text.strip().partition(" ")
    word = word.lower()
    if word in ("s", "skip"):
        return Answer(action="skip")
    if word in ("q", "quit"):
        return Answer(action="quit")
    if word in ("?", "h", "help"):
        return Answer(action="help")
    if scale == "pass_fail":
        if word in PASS_WORDS:
            return Answer(label=PASS_WORDS[word], note=note.strip())
        return "answer p (pass) or f (fail), s to skip, q to quit, ? for help"
    if word in ("1", "2", "3", "4", "5"):
        return Answer(label=float(word), note=note.strip())
    return "answer 1 to 5, s to skip, q to quit, ? for help"


def label_for(item: Item, answer: Answer, labeller: str, by_candidate: bool) -> dict:
    """The label line for ``item``, as written: ``pass``/``fail`` or an integer 1-5, a note only when
    given (validated like every line of a label file)."""
    record, target = item.record, item.target
    value: str | int = ("pass" if answer.label else "fail") if target.scale == "pass_fail" else int(answer.label or 0)
    row = {"case_id": record.case_id, **({"candidate": record.candidate} if by_candidate else {"reply": record.reply}),
           target.kind: target.name, "label": value, "labeller": labeller}
    if answer.note:
        row["note"] = answer.note
    HumanLabel.model_validate(row)
    return row


def machine_verdict(item: Item) -> tuple[float | None, bool]:
    """The run's own verdict on the item (score or 1/0) and whether it applies (checks: not n/a)."""
    record, target = item.record, item.target
    if target.kind == "check":
        result = record.checks.get(target.name)
        if result is None or result.passed is None:
            return None, False
        return float(result.passed), True
    verdict = record.judge.get(target.name)
    if verdict is None:
        return None, True  # not judged in this run: a person can still label it
    if not verdict.applicable:
        return None, False
    return verdict.score, True


def case_target(record: Record, target: Target, cases: Mapping[str, dict] | None) -> Target | None:
    """``target`` as asked on ``record``'s case, or None when the case does not have it.

    A case's own criterion (a dataset row's ``criteria``, a promptfoo ``llm-rubric:``) is judged on the cases
    that carry it only, each with its own question (two cases may ask different questions under one id): it
    is asked on those cases (their variants carry them too) with that case's question and levels, from the
    run's case snapshot; without a snapshot, where the record holds a verdict on it.
    """
    if not target.own:
        return target
    row = (cases or {}).get(record.case_id)
    if row is None:
        return target if target.name in record.judge else None
    own = [d for d in row.get("criteria") or () if isinstance(d, dict) and d.get("id") == target.name]
    if not own:
        return None
    question, levels = own[0].get("question"), own[0].get("levels")
    if own[0].get("scale", "pass_fail") != target.scale:  # another definition's scale: calibrate reads the run's
        levels = None
    elif not isinstance(levels, dict) and target.scale == "pass_fail":
        from harness.judges.rubric import SHORT_LEVELS  # the short form leaves its levels out of the case

        levels = SHORT_LEVELS
    return Target(target.kind, target.name, target.scale, str(question or ""),
                  tuple((str(k), str(v)) for k, v in levels.items()) if isinstance(levels, dict) else (), True)


def pending_items(records: list[Record], targets: list[Target], done: set[tuple], labeller: str,
                  by_candidate: bool, shuffle_seed: int | None = None, keep=None,
                  cases: Mapping[str, dict] | None = None) -> list[Item]:
    """Each (reply, target) still to label: the reply exists, the target applies to the case (a case's own
    criterion only on a case that has it, :func:`case_target`, from ``cases``, the run's case snapshot), and
    ``labeller`` has not labelled it yet (``done`` holds :func:`label_key` of the file's labels).

    A label in the file names a reply either way, whichever way this session names them: by its
    candidate (the reply that candidate gave for the case in this run) or by its text, as
    calibrate pairs them; so a reply labelled one way is not asked again to be labelled the other.
    Only first samples are asked (with ``epochs``, calibrate pairs labels with sample 0). A reply
    given by several candidates is asked once per candidate with ``by_candidate``, once in all
    otherwise. ``keep`` (an item -> bool) leaves out the items it refuses (``harness label``'s doubt
    options, :mod:`harness.calibration.picking`). In the records' order, or shuffled with a seed (so
    one labeller's order does not follow the run's, and the order can be repeated).
    """
    items, seen = [], set()
    for record in records:
        # Calibrate pairs labels with a run's first samples only: a later sample's label would never count.
        if record.reply is None or record.error is not None or record.sample != 0:
            continue
        for asked in targets:
            target = case_target(record, asked, cases)
            if target is None:
                continue
            item = Item(record, target)
            named = item_key(item, labeller, by_candidate)
            other = item_key(item, labeller, not by_candidate)
            if named in seen or named in done or other in done or not machine_verdict(item)[1] \
                    or keep is not None and not keep(item):
                if other in done and not by_candidate:
                    seen.add(named)  # this reply's text is labelled (by candidate): not asked for another
                continue
            seen.add(named)
            items.append(item)
    if shuffle_seed is not None:
        random.Random(shuffle_seed).shuffle(items)
    return items


def item_key(item: Item, labeller: str, by_candidate: bool) -> tuple:
    """What names ``item``'s reply by candidate or by (stripped) text, as :func:`label_key` names a label's."""
    named = item.record.candidate if by_candidate else item.record.reply.strip()
    return (item.record.case_id, by_candidate, named, item.target.kind, item.target.name, labeller)


def label_key(label: HumanLabel) -> tuple:
    """The key of the reply and target ``label`` names; replies by text are matched stripped, as calibrate does."""
    by_candidate = label.candidate is not None
    kind, name = label.target
    named = label.candidate if by_candidate else (label.reply or "").strip()
    return (label.case_id, by_candidate, named, kind, name, label.labeller)


def done_keys(path: Path) -> set[tuple]:
    """The keys of the labels already in ``path`` (none when it does not exist or is empty).

    The file is read and validated whole first: appending to a damaged file would
    bury its error under new lines.
    """
    if not path.exists() or not path.read_bytes().strip():
        return set()
    return {label_key(label) for label in load_labels(path)}


class LabelWriter:
    """Appends label lines to a file, each flushed and synced to disk before the next question.

    :meth:`open` opens the file for append before the first question (so a path that cannot be
    written is refused before anything is typed); a file it created and nothing was written to is
    removed again by :meth:`close`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None
        self._created = False
        self._written = False
        self._needs_newline = False

    def open(self) -> None:
        """Create the file's directory and open the file for append; raises ``OSError`` if it cannot."""
        if self._handle is not None:
            return
        if self.path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(self.path))
        if self.path.parent.exists() and not self.path.parent.is_dir():  # mkdir would say "File exists"
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(self.path.parent))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existed = self.path.exists()
        self._handle = open(self.path, "a", encoding="utf-8")
        self._created = not existed
        # a hand-edited file whose last line lacks its newline
        self._needs_newline = existed and self.path.stat().st_size > 0 and not _ends_with_newline(self.path)

    def write(self, row: dict) -> None:
        self.open()
        assert self._handle is not None
        if self._needs_newline:
            self._handle.write("\n")
            self._needs_newline = False
        self._handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._written = True

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
            if self._created and not self._written:
                try:  # only if still empty: nothing but this session had it open
                    if self.path.stat().st_size == 0:
                        self.path.unlink()
                except OSError:
                    pass


def _ends_with_newline(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"

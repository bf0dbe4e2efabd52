"""What report.html's labelling queue reads of each record: the run's doubt about each target, computed here by
the rules ``harness label`` picks with (:mod:`harness.calibration.picking`), so the browser's queue and the
terminal's select the same questions (the page's script only combines these flags with the options ticked).

A record's ``doubt`` is a string of one digit a label target (:func:`harness.report.html_labelling.label_targets`'
order), the sum of :data:`FAILING`, :data:`BORDERLINE` and :data:`DISAGREE` that hold of it ("0" for none; the
field is left out when none holds of any target); ``share`` is the hex of :func:`picking.share_key`, whose
remainder by N names the reviewer of ``--share K/N``; ``same`` is the place of the first record of the case
with the same reply text, stripped: ``harness label`` asks a reply given by two candidates once (named by its
text), and so does the page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from typing import TYPE_CHECKING

from harness.calibration.picking import is_borderline, is_disagreeing, is_failing, share_key
from harness.records.schema import Record
from harness.report.html_labelling import label_targets
from harness.report.html_text import UNSEEN

if TYPE_CHECKING:
    from harness.report.html_records import RecordView

FAILING, BORDERLINE, DISAGREE = 1, 2, 4  # a target's doubt digit: the options of `harness label` that keep it


class DoubtRules:
    """The three doubt options of ``harness label`` for one run's targets: picking's own tests, each alone, as
    :meth:`picking.Picks.doubtful` applies them (a check is never borderline). Called directly, not through a
    Picks and an Item a target: 20,000 records x 15 targets cost 0.23 s of render CPU so, 0.78 s through them."""

    def __init__(self, targets: list[dict], scales: Mapping[str, str | None], criteria: list[str],
                 checks: list[str]) -> None:
        self.scales = {name: scale for name, scale in scales.items() if scale}
        self.same = frozenset(set(criteria) & set(checks))  # picks_for's same_named: criteria with a namesake check
        self.targets = [(t["kind"], t["name"]) for t in targets]

    def fields(self, record: Record) -> dict:
        """The queue's fields of a record that can be labelled (a first sample with a reply)."""
        scales, same = self.scales, self.same
        digits = [FAILING * is_failing(record, kind, name)
                  + BORDERLINE * (kind == "criterion" and is_borderline(record, name, scales))
                  + DISAGREE * is_disagreeing(record, name, same) for kind, name in self.targets]
        out: dict = {"share": format(share_key(record.case_id, record.candidate), "x")}
        if any(digits):
            out["doubt"] = "".join(map(str, digits))
        return out


class LabelFields:
    """What the labelling panel and its queue need of a record beyond its row, only where it is not the usual
    case (:meth:`fields`)."""

    def __init__(self, view: RecordView) -> None:
        self.targets = label_targets(view)
        self.index = {(t["kind"], t["name"]): i for i, t in enumerate(self.targets)}
        self.doubt = DoubtRules(self.targets, view.scales, list(view.criteria), list(view.checks))

    def fields(self, record: Record, na_checks: list[str]) -> dict:
        """``nolabel``: why the record cannot be labelled (as ``harness label`` skips it); ``skip``: the
        targets (indexes into :func:`label_targets`) that do not apply to it, as ``harness label`` does not
        ask them (an n/a check, a criterion judged not applicable or not asked, a check the record lacks);
        ``reply``: the reply's exact text when the page's own copy would not give it back (the HTML parser turns
        a carriage return into a line feed and drops NUL), since a label names its reply by exact text; the
        queue's ``doubt`` and ``share`` (:class:`DoubtRules`)."""
        if record.reply is None or record.error is not None:
            return {"nolabel": "it has no reply"}
        if record.sample != 0:
            return {"nolabel": "only first samples are labelled (calibrate pairs labels with sample 0)"}
        index = self.index
        skip = [index[("check", name)] for name in na_checks if ("check", name) in index]
        skip += [i for (kind, name), i in index.items() if kind == "check" and name not in record.checks]
        skip += [i for (kind, name), i in index.items()  # judged not applicable, or not asked (another case's own)
                 if kind == "criterion" and (name not in record.judge or not record.judge[name].applicable)]
        fields: dict = {"skip": sorted(set(skip))} if skip else {}
        # The page shows a bidi control or a control character as its code point (esc_text): not its text.
        if "\r" in record.reply or UNSEEN.search(record.reply):
            fields["reply"] = record.reply
        if self.targets:
            fields.update(self.doubt.fields(record))
            fields["rk"] = reply_key(record)  # taken out again by :func:`same_replies`
        return fields


def reply_key(record: Record) -> str:
    """What names a reply as ``harness label`` dedups it: its stripped text (kept as a digest, not the text)."""
    text = (record.reply or "").strip().encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=12).hexdigest()


def same_replies(case_ids: list[str], fields: list[dict]) -> None:
    """Each record's ``rk`` (:func:`reply_key`) made ``same``, the place of the case's first record (in the
    page's order) with that reply, on the records that have one before them; ``rk`` taken out of every record."""
    first: dict[tuple[str, str], int] = {}
    for place, (case_id, row) in enumerate(zip(case_ids, fields)):
        key = row.pop("rk", None)
        if key is None:
            continue
        at = first.setdefault((case_id, key), place)
        if at != place:
            row["same"] = at

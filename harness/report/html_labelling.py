"""Labelling replies in report.html, for calibration: what a record can be labelled on, the controls above
the records, and the script and styles of the labelling panel an opened record gets.

Labels are kept in the browser's local storage under the run and downloaded as exactly the lines
``harness label`` writes (:mod:`harness.calibration.labelling`), so ``harness calibrate`` reads the file and
``harness label`` can go on with it. A label file (from ``harness label`` or another browser) can be loaded
back in, read in the browser with a FileReader. The page sends nothing anywhere.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from harness.report.html_labelling_js import LABEL_JS  # noqa: F401 (report.html imports it from here)

if TYPE_CHECKING:  # html_records imports label_targets from here: no import of it at run time
    from harness.report.html_records import RecordView
    from harness.scoring.schema import Scorecard

LABEL_SCALES = ("1-5", "pass_fail")


def label_targets(view: RecordView) -> list[dict]:
    """What a record can be labelled on, in ``harness label``'s order: the rubric's criteria (a criterion
    without a known scale is left out: calibrate could not read its labels either), then the checks."""
    criteria = [{"kind": "criterion", "name": name, "scale": view.scales.get(name)} for name in view.criteria
                if view.scales.get(name) in LABEL_SCALES]
    return criteria + [{"kind": "check", "name": name, "scale": "pass_fail"} for name in view.checks]


def labelling_info(card: Scorecard, view: RecordView) -> dict | None:
    """What the page's labelling script reads (None when the run has nothing to label): the run's key for
    the browser's storage (its eval and start time, the same for every copy of its report), the targets,
    and the downloaded file's name."""
    targets = label_targets(view)
    if not targets:
        return None
    run = f"{card.run.eval_name}@{card.run.started_at}" if card.run and card.run.started_at else None
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", card.run.eval_name if card.run else "run").strip("-.") or "run"
    return {"run": run, "targets": targets, "file": f"labels-{name}.jsonl", "queue": queue_info(card, targets)}


def queue_info(card: Scorecard, targets: list[dict]) -> dict:
    """The queue's defaults: what it asks about (the criteria, as ``harness label`` does by default; the checks
    in a checks-only run), and whether ``--disagree`` can keep anything (a judge panel, or a criterion labelled
    with a check of its name: picking.picks_for's test)."""
    criteria = [t["name"] for t in targets if t["kind"] == "criterion"]
    checks = {t["name"] for t in targets if t["kind"] == "check"}
    disagree = bool(criteria) and (card.panel is not None or any(name in checks for name in criteria))
    return {"on": "criteria" if criteria else "checks", "disagree": disagree}


def labelling_bar() -> str:
    """The labelling controls above the records (the script fills in the count and what the browser keeps)."""
    return ('<section id="labelling" class="labelling" aria-label="Label replies">'
            '<label class="lab-switch"><input type="checkbox" id="lab-on"> label replies for calibration</label>'
            '<span id="lab-controls" hidden>'
            '<label for="lab-name">your name <input id="lab-name" type="text" autocomplete="name" '
            'placeholder="written on every label"></label>'
            '<label><input type="checkbox" id="lab-blind" checked> hide the run\'s verdicts</label>'
            '<button type="button" id="lab-download" disabled>download labels (0)</button>'
            '<button type="button" id="lab-forget" disabled>forget these labels</button>'
            '<label for="lab-load">load a label file <input type="file" id="lab-load" '
            'accept=".jsonl,.ndjson,.json,.txt,application/x-ndjson,application/json,text/plain"></label></span>'
            f"{QUEUE_BAR}"
            '<span id="lab-status" class="muted" aria-live="polite"></span>'
            '<span id="lab-loaded" class="muted" role="status"></span>'
            '<p class="muted hint" id="lab-hint" hidden>Open a record and give each criterion a verdict on its '
            "scale and each check pass or fail, with a note if you like; leave out what you do not want to "
            "label. The run's own verdicts are hidden while you label unless you untick the box (they sway a "
            "labeller). Labels are kept in this browser's local storage for this run, so a reload keeps them "
            "(another browser, or clearing the site's data, does not). Download them as a label file for "
            "<code>harness calibrate RUN --labels FILE</code>; <code>harness label</code> can go on with that "
            'file in the terminal. "load a label file" reads such a file (from <code>harness label</code> or '
            "another browser) into this page, for each labeller in it, so the next download holds both; where this "
            "browser already holds a label on the same reply and target for the same labeller, this browser's "
            "label is kept. Labels of replies this run does not have are not loaded (keep that file). "
            "Nothing is sent anywhere. The queue options keep the records <code>harness label</code> would ask "
            "about with the same options (failing: the run failed the check or criterion; borderline: a criterion "
            "scored at its scale's middle, or its judge was unsure; disagree: a criterion and the check of its "
            "name disagree, or a judge panel split; share K/N: reviewer K of N, the same share as "
            "<code>--share K/N</code>); \"next to label\" opens the next record with a question you have not "
            "labelled.</p></section>")


# The queue's controls (html_queue_js): harness label's doubt options and --share, what they ask about, and the
# next record with a question left.
QUEUE_BAR = ('<span id="lab-queue" class="lab-queue" role="group" aria-label="Queue, as harness label picks">'
             '<span class="muted">queue:</span>'
             '<label><input type="checkbox" id="lab-q-failing"> failing</label>'
             '<label><input type="checkbox" id="lab-q-borderline"> borderline</label>'
             '<label><input type="checkbox" id="lab-q-disagree"> disagree</label>'
             '<label for="lab-q-share">share <input id="lab-q-share" type="text" size="5" placeholder="K/N" '
             'autocomplete="off"></label>'
             '<label for="lab-q-on">on <select id="lab-q-on"><option value="criteria">criteria</option>'
             '<option value="checks">checks</option><option value="all">criteria and checks</option></select></label>'
             '<button type="button" id="lab-q-next" disabled>next to label ›</button>'
             '<span id="lab-q-said" class="muted" role="status"></span></span>')


LABEL_CSS = """
.labelling { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: center; margin: .5rem 0;
             padding: .4rem .8rem; border: 1px solid var(--line); border-radius: 4px; }
.labelling #lab-controls { display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; align-items: center; }
.labelling #lab-controls[hidden] { display: none; }
.labelling p.hint { flex-basis: 100%; margin: 0; }
fieldset.lab-panel { display: none; border: 1px solid var(--accent); border-radius: 4px; margin: .6rem 0;
                     padding: .2rem .8rem .5rem; }
body.labelling fieldset.lab-panel { display: block; }
fieldset.lab-panel legend { font-weight: 600; padding: 0 .3rem; }
.lab-t { display: flex; flex-wrap: wrap; gap: .2rem .8rem; align-items: center; padding: .15rem 0; }
.lab-what { min-width: 13rem; font-weight: 600; }
.lab-opts label { margin-right: .6rem; white-space: nowrap; }
.lab-note { flex: 1; min-width: 10rem; }
/* Blind labelling: the record's verdicts, its summary's checks and criteria, and the evidence marks (a red
   mark is a failed check) are hidden, as `harness label` hides them unless --show-verdicts. */
body.lab-blind #records .verdicts, body.lab-blind #records .sbs h4 .fail { display: none; }
/* the summary's checks and criteria cells are hidden by place: html_columns.columns_css */
body.lab-blind #records mark { background: none !important; box-shadow: none !important; }
.lab-queue { display: flex; flex-wrap: wrap; gap: .3rem .8rem; align-items: center; }
.lab-t.lab-asked { border-left: 3px solid var(--accent); padding-left: .4rem; }
.lab-t.lab-asked .lab-what::after { content: " · in the queue"; font-weight: 400; color: var(--muted); }
@media print { .labelling, fieldset.lab-panel { display: none !important; } }
@media (max-width: 640px) { .lab-what { min-width: 0; flex-basis: 100%; } }
"""

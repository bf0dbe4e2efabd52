"""``<results>/index.html``: every run of a results directory on one self-contained page, across evals.

What ``harness history`` lists in the terminal, for a browser: one row per run (eval, run with links to its
``report.html`` and ``scorecard.md``, start, candidates, each candidate's mean pass rates and score, gates and
exit code, errors, cost), newest first, filterable by eval, gate verdict and text, sortable by any column,
each eval's accepted baseline marked; above it, one line per eval with a sparkline of its headline figure.
Ticking two runs shows the ``harness diff`` command that compares them, and links the diff when one was
written into the results directory. A row opens (click, Enter, Space) to show its failed gates.

Written by ``harness history --html`` and, refreshed, after every ``harness run`` (:func:`refresh_index_html`).
As every report page: inline CSS and JS, no network, every text from the index escaped, and the script's
data in a JSON block (:mod:`harness.report.html_parts`).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from harness.errors import ConfigError
from harness.history import INDEX_FILE
from harness.records.store import atomic_write_text
from harness.records.timestamps import now_iso
from harness.report.history_data import Cost, DiffLink, IndexRun, known_diffs, load_index_runs
from harness.report.history_html_assets import CSS, SCRIPT
from harness.report.history_spark import pct, trend_cell
from harness.report.html_parts import esc, json_for_script, page_shell, sortable_head
from harness.report.tables import fmt_cost

PAGE_FILE = "index.html"
DEFAULT_RESULTS = "results"  # harness history's --results default
DATA_ID = "harness-index"
# How a page this module wrote is told from a file of the user's by that name (never replaced without asking).
_OWN = re.compile(r'<script type="application/json" id="' + DATA_ID + r'">(.*?)</script>', re.DOTALL)
HEADS = ["eval", "run", "started", "candidates", "checks passed", "criteria passed", "mean score", "gates", "exit",
         "errors", "cost"]


def render_index_html(runs: list[IndexRun], diffs: list[DiffLink], *, where: Where, links: Links,
                      scope: str = "") -> str:
    """The page: ``runs`` newest first; ``where`` names the results directory as its commands do and the
    command that rebuilds the page, ``links`` lead from the page's folder into it, ``scope`` says what
    ``--eval``/``--last`` left out."""
    evals = sorted({r.eval_name for r in runs})
    title = f"Runs in {where.results}"
    subtitle = (f"{len(runs)} run{'s' * (len(runs) != 1)} of {len(evals)} eval{'s' * (len(evals) != 1)}"
                f"{scope}, newest first; written {now_iso()}.")
    body = (f'<h1>{esc(title)}</h1><p class="muted">{esc(subtitle)}</p>{_commands_note(where)}'
            f"{_evals_section(runs, evals, links)}{_pick_panel()}{_filters(evals, len(runs))}"
            f'<p class="hint muted">Click a run, or focus it (Tab) and press Enter, to see its failed gates. '
            f"Tick two runs to compare them.</p>{_runs_table(runs, links, _Within(where.results, diffs, links))}"
            f"{_data(runs, diffs, where.results, links)}")
    return page_shell(title, body, css=CSS, script=SCRIPT)


class Where:
    """The results directory as the page's commands name it, and where they are run from.

    Commands name it relative to the folder that holds it (``results/support-1``), and the page says to run
    them from there: unlike absolute paths, which name the machine that wrote the page (a CI runner's
    workspace), they keep working on a page published as a CI artifact or copied with its results, and unlike
    paths relative to the writer's working directory they do not depend on who wrote the page last.
    """

    def __init__(self, results_dir: Path, page: Path, *, eval_name: str | None = None, last: int | None = None):
        absolute = Path(os.path.abspath(results_dir))
        self.results = absolute.name or absolute.as_posix()  # "/" has no name
        self.home = absolute.parent.as_posix()
        words = ["harness", "history", "--html"]
        if os.path.abspath(page) != os.path.abspath(page_path(absolute, None, eval_name=eval_name, last=last)):
            words.append(_from_home(page, absolute.parent))
        if self.results != DEFAULT_RESULTS:
            words += ["--results", self.results]
        words += (["--eval", eval_name] if eval_name else []) + (["--last", str(last)] if last else [])
        self.rebuild = " ".join(shlex.quote(w) for w in words)


def _from_home(page: Path, home: Path) -> str:
    """The page's path as typed in ``home``: relative inside it, else absolute (a page written elsewhere)."""
    way = os.path.relpath(os.path.abspath(page), home)
    return way if not way.startswith("..") else os.path.abspath(page)


def _commands_note(where: Where) -> str:
    return (f'<p class="muted" id="run-from">Run the commands on this page from the folder that holds '
            f"<code>{esc(where.results)}/</code> (where the page was written: <code>{esc(where.home)}</code>). "
            f"Rebuild the page with: <code>{esc(where.rebuild)}</code></p>")


class Links:
    """Relative links from the page's folder into the results directory, percent-encoded (a run name may hold
    anything); the way there is worked out once, not for each of hundreds of links."""

    def __init__(self, results_dir: Path, base: Path) -> None:
        way = Path(os.path.relpath(results_dir.resolve(), base.resolve())).as_posix()
        self.prefix = "" if way == "." else quote(way) + "/"

    def to(self, folder: str, name: str) -> str:
        return f"{self.prefix}{quote(folder, safe='')}/{name}"


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _evals_section(runs: list[IndexRun], evals: list[str], links: Links) -> str:
    """One row per eval: its runs, its newest run and its verdict, its accepted baseline, and a sparkline."""
    rows = []
    for name in evals:
        mine = [r for r in runs if r.eval_name == name]  # newest first
        newest, baseline = mine[0], next((r for r in mine if r.accepted), None)
        spark = trend_cell(mine)
        base_cell = _run_link(baseline, links) if baseline else '<span class="muted">none accepted</span>'
        rows.append(f'<tr class="eval" data-eval="{esc(name)}"><td><a href="#eval={quote(name, safe="")}">'
                    f'{esc(name)}</a></td><td class="num">{len(mine)}</td><td>{_run_link(newest, links)}'
                    f' <span class="muted">{esc(newest.gates)}</span></td><td>{base_cell}</td><td>{spark}</td></tr>')
    head = "".join(f'<th scope="col">{h}</th>' for h in ("eval", "runs", "newest run and its gates",
                                                          "accepted baseline", "trend (oldest → newest)"))
    return (f'<h2>Evals</h2><div class="scroll"><table class="evals"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _run_link(run: IndexRun, links: Links) -> str:
    """The run's name linking to its report; a run whose directory is gone says so instead of a dead link."""
    if not run.present:
        return f'<span class="missing">{esc(run.run)} (directory missing)</span>'
    if "report.html" not in run.files:
        return f'{esc(run.run)} <span class="missing">(no report.html)</span>'
    return f'<a href="{links.to(run.run, "report.html")}">{esc(run.run)}</a>'


def _pick_panel() -> str:
    return ('<section class="pick" aria-label="Compare two runs" aria-live="polite"><p id="pick-hint"></p>'
            '<div id="pick-out" hidden><p><code id="diff-cmd"></code><button type="button" id="copy">copy</button>'
            '</p><p id="diff-found" hidden>Already written: <span id="diff-links"></span></p><p id="pick-warn" class="warn" '
            "hidden></p></div></section>")


def _filters(evals: list[str], total: int) -> str:
    options = "".join(f'<option value="{esc(e)}">{esc(e)}</option>' for e in evals)
    gates = "".join(f'<option value="{v}">{t}</option>' for v, t in (("", "any"), ("failed", "failed"),
                                                                      ("passed", "passed"), ("incomplete", "incomplete"),
                                                                      ("none", "never gated")))
    return ('<form class="filters" role="search">'
            f'<label for="f-eval">eval<select id="f-eval"><option value="">all</option>{options}</select></label>'
            f'<label for="f-gates">gates<select id="f-gates">{gates}</select></label>'
            '<label for="f-text">text in run, eval or candidates<input id="f-text" type="search" '
            'placeholder="e.g. nightly-2026" autocomplete="off"></label>'
            f'<span class="muted count">showing <span id="shown" aria-live="polite">{total}</span></span></form>')


def _runs_table(runs: list[IndexRun], links: Links, within: _Within) -> str:
    head = '<th scope="col" class="pick">diff</th>' + sortable_head(HEADS)
    body = "".join(_run_rows(i, r, links, within) for i, r in enumerate(runs))
    return (f'<h2>Runs</h2><div class="scroll"><table id="runs"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _run_rows(i: int, run: IndexRun, links: Links, within: _Within) -> str:
    """A run's row and its detail row (what ``filterRows``, ``expandable`` and ``sortable`` expect)."""
    names = list(run.candidates) or ["—"]
    figures = [(run.headline.checks, pct, "checks"), (run.headline.criteria, pct, "criteria"),
               (run.headline.score, _score, "score")]
    cells = [_pick_cell(run), _td("eval", _eval_cell(run)), _td("run", _run_cell(run, links)),
             # Sorted by the page's own order (start time, then name: the listing's), not the text: runs started
             # in the same second would otherwise keep their places whichever way the column is sorted.
             _td("started", "".join(f'<span class="fig" title="{esc(run.started_at or "")}">{esc(part)}</span>'
                                    for part in _when(run.started_at).split(" ", 1)), str(-i)),
             _td("candidates", "".join(_candidate(run, n) for n in names))]
    for value, fmt, key in figures:
        lines = "".join(f'<span class="fig" title="{esc(n)}">{fmt(getattr(h, key))}</span>'
                        for n, h in run.candidates.items()) or fmt(None)
        cells.append(_td("mean score" if key == "score" else f"{key} passed", lines, _sortkey(value), num=True))
    cells += [_td("gates", esc(run.gates), run.gates), _td("exit", esc(_text(run.exit_code)), _sortkey(run.exit_code),
                                                          num=True),
              _td("errors", f"{run.n_errors} of {run.n_records}", str(run.n_errors), num=True),
              _td("cost", esc(_cost(run.cost)), _sortkey(run.cost.usd if run.cost else None), num=True)]
    gates_key = {"passed": "passed", "incomplete": "incomplete", "—": "none"}.get(run.gates, "failed")
    accepted = " accepted" if run.accepted else ""
    return (f'<tr class="run{accepted}" tabindex="0" aria-expanded="false" aria-controls="d{i}" '
            f'data-eval="{esc(run.eval_name)}" data-gates="{gates_key}">{"".join(cells)}</tr>'
            f'<tr class="detail" id="d{i}" hidden><td colspan="{len(HEADS) + 1}">{_detail(run)}{within.html(run)}</td></tr>')


def _eval_cell(run: IndexRun) -> str:
    """The eval's name, its file's ``description:`` under it (muted, cut short; whole in the tooltip)."""
    if not run.description:
        return esc(run.eval_name)
    short = run.description if len(run.description) <= 60 else run.description[:59].rstrip() + "…"
    return (f'{esc(run.eval_name)}<br><span class="muted sel" title="{esc(run.description)}">{esc(short)}'
            "</span>")


def _candidate(run: IndexRun, name: str) -> str:
    """A candidate's name, with its setup (model, parameters, prompt file) as its tooltip: same-named candidates
    of runs that differ only in prompt or temperature must be told apart."""
    setup = run.setups.get(name)
    title = f' title="{esc(setup)}"' if setup else ""
    return f'<span class="fig"{title}>{esc(name)}</span>'


def _td(label: str, content: str, sort: str | None = None, *, num: bool = False) -> str:
    key = f' data-sort="{esc(sort)}"' if sort is not None else ""
    css = ' class="num"' if num else ""
    return f'<td{css} data-label="{label}"{key}>{content}</td>'


def _sortkey(value: float | int | None) -> str:
    """A number for every row (a missing figure sorts below every real one): a column sorts as numbers."""
    return "-1" if value is None else repr(value)


def _when(started_at: str | None) -> str:
    """``2026-11-23 02:30:05 UTC`` (or the recorded offset, ``+02:00``): runs minutes apart must be told apart,
    and a page read in another time zone must not pass for local time."""
    try:
        when = datetime.fromisoformat(started_at or "")
    except ValueError:
        return started_at or ""
    offset, zone = when.utcoffset(), when.strftime("%z")  # "+0200"
    zone = "" if offset is None else " UTC" if not offset else f" {zone[:3]}:{zone[3:]}"
    return when.strftime("%Y-%m-%d %H:%M:%S") + zone


def _text(value) -> str:
    return "" if value is None else str(value)


def _cost(cost: Cost | None) -> str:
    if cost is None or not cost.calls:  # fmt_cost's "— (no model calls)" is too wide for a column of runs
        return "—"
    return fmt_cost(cost.usd, cost.unpriced, cost.calls)


def _pick_cell(run: IndexRun) -> str:
    if not run.present:  # diff reads the run's records: a run whose directory is gone cannot be compared
        return '<td class="pick"></td>'
    return (f'<td class="pick"><input type="checkbox" class="pick" value="{esc(run.run)}" '
            f'aria-label="compare {esc(run.run)}"></td>')


def _run_cell(run: IndexRun, links: Links) -> str:
    badge = '<span class="badge" title="the accepted baseline of its eval">baseline</span>' if run.accepted else ""
    files = ""
    if run.present and "scorecard.md" in run.files:
        files = f'<span class="files"><a href="{links.to(run.run, "scorecard.md")}">scorecard.md</a></span>'
    # A run of some of the cases measures other things than a run of all: it says which, as the listing does.
    chosen = f'<span class="muted sel">{esc(run.selection)}</span><br>' if run.selection else ""
    return f"{_run_link(run, links)}{badge}<br>{chosen}{files}"


def _detail(run: IndexRun) -> str:
    facts = [("description", run.description), ("status", run.status), ("cases", run.selection or "every case"),
             ("records", f"{run.n_records}, {run.n_errors} ended in an error"),
             *((f"candidate {name}", words) for name, words in run.setups.items())]
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts if v)
    gates = ("<ul>" + "".join(f'<li><span class="fail">failed</span> {esc(g)}</li>' for g in run.failed_gates)
             + "</ul>") if run.failed_gates else f'<p class="muted">No failed gate ({esc(run.gates)}).</p>'
    return f'<dl class="identity">{items}</dl>{gates}'


class _Within:
    """A run of several candidates: the command comparing two of them inside it, and the diffs written so."""

    def __init__(self, results: str, diffs: list[DiffLink], links: Links) -> None:
        self.results, self.links = results, links
        self.diffs: dict[str, list[DiffLink]] = {}
        for d in diffs:
            if d.run_a == d.run_b:
                self.diffs.setdefault(d.run_a, []).append(d)

    def html(self, run: IndexRun) -> str:
        names = list(run.candidates)
        if len(names) < 2 or not run.present:
            return ""
        a, b = names[0], names[1]
        command = shlex.join(["harness", "diff", f"{self.results}/{run.run}", "--pair", f"{a}={b}",
                              "--out", f"{self.results}/diff-{run.run}-{a}-{b}"])
        others = f" (--pair names any two of {', '.join(names)})" if len(names) > 2 else ""
        written = "; ".join(f'<a href="{self.links.to(d.folder, "diff.html" if d.has_html else "diff.json")}">'
                            f"{esc(d.folder)}</a>" for d in self.diffs.get(run.run, []))
        found = f"<br>Already written: {written}" if written else ""
        return (f'<p class="within">Compare two of its candidates: <code>{esc(command)}</code>{esc(others)}'
                f"{found}</p>")


def _data(runs: list[IndexRun], diffs: list[DiffLink], results: str, links: Links) -> str:
    """The script's data: each run's name, eval, start and path for the command, its cost (with the stamp that
    lets the next page reuse it), and the diffs written between two of them."""
    known: dict[str, list[dict]] = {}
    for d in sorted(diffs, key=lambda d: d.created_at or "", reverse=True):  # every diff of a pair, newest first (the JS puts the one in the command's --out folder first)
        if d.run_a != d.run_b:  # a diff inside one run is linked in that run's detail
            known.setdefault(f"{d.run_a}\n{d.run_b}", []).append(_diff_entry(d, links))
    data = {"results": results, "diffs": known,
            "runs": [{"run": r.run, "eval": r.eval_name, "started": r.started_at, "path": f"{results}/{r.run}",
                      "candidates": list(r.candidates),
                      "cost": None if r.cost is None else [r.cost.usd, r.cost.unpriced, r.cost.calls, r.cost.stamp]}
                     for r in runs]}
    # json_for_script (not json_script): the block's id is the mark this module's pages are known by.
    return f'<script type="application/json" id="{DATA_ID}">{json_for_script(data)}</script>'


def _diff_entry(d: DiffLink, links: Links) -> dict:
    name = "diff.html" if d.has_html else "diff.json"
    return {"href": links.to(d.folder, name), "folder": d.folder,
            "label": f"{d.folder}/{name}{f' (written {d.created_at})' if d.created_at else ''}"}


def earlier_page(page: Path, *, advice: bool = True) -> str | None:
    """The text of an earlier runs page at ``page`` (None when there is no file there); ConfigError for a file
    this module did not write (a page of the user's, a directory): it is never replaced. ``advice`` adds what
    to do about it with ``--html`` (which ``harness run`` and ``harness diff`` do not have)."""
    try:
        text = page.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError("is a directory" + (": name the page's file (e.g. index.html in it)" if advice else ""),
                          file=str(page), field="--html") from None
    except OSError as exc:
        raise ConfigError(f"cannot be read or replaced: {exc.strerror}", file=str(page), field="--html") from None
    if "<title>Runs in " not in text[:4096] or _OWN.search(text) is None:
        raise ConfigError("exists and is not a runs page harness history wrote" +
                          (": give another path" if advice else ""), file=str(page), field="--html")
    return text


def previous_costs(text: str | None) -> dict[str, Cost]:
    """The costs an earlier page kept, by run (empty for no page or a damaged one: then every scorecard is read)."""
    found = _OWN.search(text or "")
    try:
        runs = json.loads(found.group(1))["runs"] if found else []
        return {r["run"]: Cost(*r["cost"]) for r in runs if isinstance(r, dict) and isinstance(r.get("cost"), list)}
    except (ValueError, KeyError, TypeError):
        return {}


def page_path(results_dir: str | Path, out: str | Path | None = None, *, eval_name: str | None = None,
              last: int | None = None) -> Path:
    """Where the page goes: ``out``, or ``<results>/index.html``; a page of some runs (``--eval``, ``--last``)
    without ``out`` goes beside it (``index-support.html``, ``index-support-last-5.html``), never over the
    page of every run that each ``harness run`` refreshes."""
    if out is not None:
        return Path(out)
    if not eval_name and not last:
        return Path(results_dir) / PAGE_FILE
    parts = ([re.sub(r"[^A-Za-z0-9._-]+", "_", eval_name).strip("._")[:80] or "eval"] if eval_name else [])
    parts += [f"last-{last}"] if last else []
    return Path(results_dir) / f"index-{'-'.join(parts)}.html"


def write_index_html(results_dir: str | Path, out: str | Path | None = None, *, eval_name: str | None = None,
                     last: int | None = None, advice: bool = True) -> tuple[Path, int]:
    """Write the runs page (default ``<results>/index.html``, or beside it for some runs: :func:`page_path`);
    returns its path and how many runs it lists.

    A file at ``out`` that is not a runs page (a page of the user's, a directory) is refused: ConfigError."""
    results_dir = Path(results_dir)
    page = page_path(results_dir, out, eval_name=eval_name, last=last)
    runs = load_index_runs(results_dir, eval_name, last, previous_costs(earlier_page(page, advice=advice)))
    page.parent.mkdir(parents=True, exist_ok=True)
    scope = (f" (eval {eval_name} only)" if eval_name else "") + (f" (the last {last})" if last else "")
    html = render_index_html(runs, known_diffs(results_dir, runs), links=Links(results_dir, page.parent),
                             where=Where(results_dir, page, eval_name=eval_name, last=last), scope=scope)
    atomic_write_text(page, html)
    return page, len(runs)


def refresh_index_html(results_dir: str | Path) -> Path | None:
    """Rewrite ``<results>/index.html`` after a run (it reads only the new run's scorecard: its cost).

    Never fails the run: a page of the user's by that name is left alone (a note says so), and anything else
    that goes wrong is one warning; the run's own files and exit code are what they were.
    """
    page = Path(results_dir) / PAGE_FILE
    try:
        return write_index_html(results_dir, advice=False)[0]
    except ConfigError as exc:  # a file of the user's by that name
        print(f"harness: note: {page}: {exc.problem}; left as it is (rename or remove it to get the runs page "
              f"there)", file=sys.stderr)
        return None
    except Exception as exc:  # noqa: BLE001 - the page is a view of the index: it must not change a run's exit code
        print(f"harness: warning: {page}: not refreshed: {exc}", file=sys.stderr)
        return None


def refresh_after_diff(out_dir: str | Path) -> Path | None:
    """After ``harness diff --out DIR``: when DIR is a folder of a results directory (its parent holds an
    index), that directory's page is refreshed, so it links the diff at once (:func:`known_diffs`)."""
    results = Path(os.path.abspath(out_dir)).parent
    if not (results / INDEX_FILE).is_file():
        return None
    return refresh_index_html(Path(out_dir).parent)

"""Benchmark: report.html for a big run: its size, the CPU to render it, and how fast a browser opens it.

Synthesises N records (one candidate by default, 14 checks with evidence, one judged criterion, a case
snapshot with the complaint and a system prompt, as a nightly run of the shipped eval writes them; records are
made as bench_scorecard.py makes them: a few thousand distinct ones reused under fresh case ids), renders
report.html, and prints its size and the render's CPU seconds. Where Playwright and Debian's
``/usr/bin/chromium`` are present, also the page's load time in headless Chromium (navigation to the load
event, the page's own script included), its DOM node count, the time to open a record on the last page
by its link and to search for a word only that record has, and the page's own time for a first search (typed
at the load event, and 2 s after it).

    .venv/bin/python benchmarks/bench_report.py [n_records] [--candidates K] [--keep PATH]

Target: 20,000 records open in under 3 s.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this tree, not the venv's install

from harness.checks.base import CheckResult, Span  # noqa: E402
from harness.records.schema import CriterionResult, ErrorInfo, Record  # noqa: E402
from harness.report.html import render_run_html  # noqa: E402
from harness.scoring.scorecard import build_scorecard  # noqa: E402

CHECKS = tuple(f"check_{k:02d}" for k in range(14))
CRITERIA = {"empathy": {"scale": "1-5", "pass_threshold": 4, "applies_when": "always"}}
PERSONAS = ("angry", "genuine_grievance", "unreasonable_demand", "passive_aggressive", "indecisive", "abusive")
CATEGORIES = ("billing", "shipping", "refund", "account", "product", "other")
REPLY = ("I apologize for the delay with order #A1234. I understand how frustrating it is to wait. "
         "I have issued a replacement that ships today and you will get tracking within 24 hours. ") * 3
COMPLAINT = ("My order #A1234 was due last Tuesday and it still has not arrived. I have called twice and nobody "
             "can tell me where it is. I want a refund or a replacement today, not another promise. ") * 2
SYSTEM = "You are a support agent for Acme. Be brief, apologise once, name the next step and its date. " * 4
NEEDLE = "zebracrossing"  # a word only the last record's reply holds: the search benchmark looks for it


def synth_record(index: int, candidate: str, rng: random.Random) -> Record:
    """One plausible record; about 2% case errors and 3% judge errors (one with its attempts)."""
    base = dict(case_id=f"case-{index:06d}", candidate=candidate, persona=rng.choice(PERSONAS),
                category=rng.choice(CATEGORIES), system_prompt=SYSTEM)
    if rng.random() < 0.02:
        return Record(**base, error=ErrorInfo(kind=rng.choice(("rate_limit", "timeout")), message="failed"))
    span = Span(start=0, end=11, text=REPLY[:11])
    checks = {name: CheckResult(passed=rng.choice((True, True, True, False, None)), evidence=[span],
                                detail="matched 'I apologize'") for name in CHECKS}
    judge = {}
    for name in CRITERIA:
        if rng.random() < 0.03:
            judge[name] = CriterionResult(error=ErrorInfo(kind="judge_output", message="junk", attempts=2))
        else:
            score = rng.randint(1, 5)
            judge[name] = CriterionResult(score=score, passed=score >= 4, reason="The reply names the order. " * 3)
    return Record(**base, reply=REPLY, reply_source="model", checks=checks, judge=judge)


def synth_run(n: int, candidates: int, distinct: int = 2000) -> tuple[list[Record], dict[str, dict]]:
    """``n`` records over ``n / candidates`` cases, and the case snapshot; the last record holds :data:`NEEDLE`."""
    rng = random.Random(7)
    names = [f"bot_v{k + 1}" for k in range(candidates)]
    templates = [synth_record(k, names[k % candidates], rng) for k in range(min(distinct, n))]
    records = []
    for index in range(n):
        case_id = f"case-{index // candidates:06d}"
        records.append(templates[index % len(templates)].model_copy(
            update={"case_id": case_id, "candidate": names[index % candidates]}))
    last = records[-1]
    records[-1] = last.model_copy(update={"reply": (last.reply or "") + NEEDLE, "error": None})
    cases = {f"case-{k:06d}": {"id": f"case-{k:06d}", "turns": [{"role": "customer", "content": COMPLAINT}]}
             for k in range((n + candidates - 1) // candidates)}
    return records, cases


def render(records: list[Record], cases: dict[str, dict]) -> tuple[str, float]:
    card = build_scorecard(iter(records), None, CRITERIA)
    start = time.process_time()
    text = render_run_html(card, records, cases)
    return text, time.process_time() - start


def browser_figures(path: Path, last_id: str) -> dict | None:
    """Load time, DOM nodes, and opening the last record by link and by search, in headless Chromium."""
    chromium = Path("/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not chromium.exists():
        return None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        page = browser.new_page()
        start = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load", timeout=300_000)
        load = time.perf_counter() - start
        nodes = page.evaluate("document.getElementsByTagName('*').length")
        start = time.perf_counter()
        page.goto(f"{path.as_uri()}#rec={last_id}", wait_until="load", timeout=300_000)
        page.wait_for_selector(f'tr.rec[id="{last_id}"][aria-expanded="true"]', timeout=60_000)
        linked = time.perf_counter() - start
        page.goto(path.as_uri(), wait_until="load", timeout=300_000)
        start = time.perf_counter()
        page.fill("#f-text", NEEDLE)
        page.wait_for_selector(f'tr.rec[id="{last_id}"]:not([hidden])', timeout=60_000)
        search = time.perf_counter() - start
        first = {delay: in_page_search(page, path, delay) for delay in (0, 2000)}
        browser.close()
    return {"load": load, "nodes": nodes, "linked": linked, "search": search, "first": first}


SEARCH_JS = """(word) => { var box = document.getElementById("f-text"), start = performance.now();
  box.value = word; box.dispatchEvent(new Event("input")); return performance.now() - start; }"""


def in_page_search(page, path: Path, idle_ms: int) -> float:
    """The page's own time (ms) for the first search of a freshly loaded page, ``idle_ms`` after its load event
    (the page makes its search texts in idle time from load on: 0 ms measures a search before that)."""
    page.goto(path.as_uri(), wait_until="load", timeout=300_000)
    page.wait_for_timeout(idle_ms)
    return page.evaluate(SEARCH_JS, NEEDLE)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=20_000)
    parser.add_argument("--candidates", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the page here (kept) instead of a temporary file")
    args = parser.parse_args()
    records, cases = synth_run(args.n, args.candidates)
    text, cpu = render(records, cases)
    data = text.encode("utf-8")
    from harness.report.html_records import record_anchor
    last_id = record_anchor(records[-1].key)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "report.html"
        path.write_bytes(data)
        figures = None if os.environ.get("NO_BROWSER") else browser_figures(path.resolve(), last_id)
    print(f"records:        {args.n:,} ({args.candidates} candidate(s), {len(CHECKS)} checks, {len(CRITERIA)} criterion)")
    print(f"report.html:    {len(data) / 2**20:.1f} MiB")
    print(f"render CPU:     {cpu:.2f} s")
    if figures is None:
        print("browser:        skipped (no playwright or /usr/bin/chromium)")
        return
    print(f"page load:      {figures['load']:.2f} s (headless Chromium, to the load event)")
    print(f"DOM elements:   {figures['nodes']:,}")
    print(f"open #rec=last: {figures['linked']:.2f} s (load included)")
    print(f"search to last: {figures['search']:.2f} s")
    print(f"first search:   {figures['first'][0]:.0f} ms at load, {figures['first'][2000]:.0f} ms 2 s after "
          "(in the page: typing to the list shown)")


if __name__ == "__main__":
    main()

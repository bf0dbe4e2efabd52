"""Benchmark: ``diff.html`` listing every aligned case of two 20,000-case runs, opened in headless Chromium.

Writes two run directories of ``--cases`` cases, one candidate each (six checks with evidence, five judged
criteria per record: the records of ``bench_scorecard.py``). Each case's reply names its case; in run B
about ``--reworded`` of the replies are reworded (so the word changes have work to do) and about
``--changed`` of the records are graded afresh (so thousands of cases change). Then times
``harness diff A B --out DIR`` as a child process, and, when Playwright and ``/usr/bin/chromium`` are present,
the page in headless Chromium: its load (navigation to the load event, the first page of rows made), DOM
elements, switching the list to every case, a search reaching the last case, and opening it.

    .venv/bin/python benchmarks/bench_diff_html.py [--cases 20000] [--changed 0.1] [--reworded 0.5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_diff import manifest, timed  # noqa: E402
from bench_scorecard import CRITERIA, REPLY, synth_record  # noqa: E402

from harness.records.store import RECORDS  # noqa: E402

DISTINCT = 2000  # synthesised gradings, reused with fresh case ids and replies
REWORDED = REPLY.replace("I apologize for", "Sorry about").replace("ships today", "leaves our warehouse today")


def _manifest(name: str, n_cases: int) -> str:
    m = manifest(name, n_cases)
    m.candidates = [{"name": "bot"}]
    return m.model_dump_json(indent=2)


def _case_row(index: int) -> dict:
    return {"id": f"case-{index:06d}", "persona": "angry", "category": "shipping",
            "turns": [{"role": "customer", "content": f"Order #{index} never arrived and nobody answers. Refund me."}]}


def write_runs(work: Path, n: int, changed: float, reworded: float) -> tuple[Path, Path]:
    """Runs ``a`` and ``b`` under ``work``, one candidate each, ``n`` cases."""
    graded = [synth_record(2 * i, random.Random(7 + i)).model_dump(mode="json") for i in range(DISTINCT)]
    regraded = [synth_record(2 * i, random.Random(10_007 + i)).model_dump(mode="json") for i in range(DISTINCT)]
    pick = random.Random(11)
    runs = (work / "a", work / "b")
    for run in runs:
        run.mkdir()
        (run / "manifest.json").write_text(_manifest(run.name, n))
        with open(run / "cases.jsonl", "w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(_case_row(i)) + "\n" for i in range(n))
    with open(runs[0] / RECORDS, "w", encoding="utf-8") as out_a, open(runs[1] / RECORDS, "w", encoding="utf-8") as out_b:
        for index in range(n):
            case = {"case_id": f"case-{index:06d}", "candidate": "bot"}
            row_a = graded[index % DISTINCT] | case
            row_b = (regraded[index % DISTINCT] if pick.random() < changed else graded[index % DISTINCT]) | case
            if row_a.get("reply"):
                row_a["reply"] = f"Case {index}: {REPLY}"
            if row_b.get("reply"):
                row_b["reply"] = f"Case {index}: {REWORDED if pick.random() < reworded else REPLY}"
            out_a.write(json.dumps(row_a, ensure_ascii=False) + "\n")
            out_b.write(json.dumps(row_b, ensure_ascii=False) + "\n")
    return runs


def browser_figures(path: Path, last_id: str) -> dict | None:
    """Load, DOM elements, the list switched to every case, a search reaching ``last_id``, opening it."""
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
        page.select_option("#c0-f-status", "all")
        page.wait_for_selector("#c0 tr.case", timeout=60_000)
        every = time.perf_counter() - start
        start = time.perf_counter()
        page.fill("#c0-f-text", last_id)
        row = page.locator(f'#c0 tr.case[data-case="{last_id}"]')
        row.wait_for(timeout=60_000)
        search = time.perf_counter() - start
        start = time.perf_counter()
        row.click()
        page.wait_for_selector("#c0 tr.detail:not([hidden]) .sbs", timeout=60_000)
        opened = time.perf_counter() - start
        browser.close()
    return {"load": load, "nodes": nodes, "all": every, "search": search, "open": opened}


def main() -> None:
    parser = argparse.ArgumentParser(description="diff.html of two large runs, every case listed")
    parser.add_argument("--cases", type=int, default=20_000, help="cases per run (one candidate)")
    parser.add_argument("--changed", type=float, default=0.1, help="share of B's records graded afresh")
    parser.add_argument("--reworded", type=float, default=0.5, help="share of B's replies reworded")
    parser.add_argument("--keep", type=Path, help="write the runs and the diff here (kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-diff-html-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        run_a, run_b = write_runs(work, args.cases, args.changed, args.reworded)
        out = work / "diff"
        timing = timed([sys.executable, "-m", "harness.cli.main", "diff", str(run_a), str(run_b), "--out", str(out)])
        page = out / "diff.html"
        size = page.stat().st_size
        figures = None if os.environ.get("NO_BROWSER") else browser_figures(page.resolve(), f"case-{args.cases - 1:06d}")
    print(f"runs:        {args.cases:,} cases each, one candidate, {args.changed:.0%} regraded, "
          f"{args.reworded:.0%} reworded in B")
    print(f"harness diff: wall {timing.wall_s:.2f} s, cpu {timing.cpu_s:.2f} s, peak RSS {timing.peak_rss_mib:.0f} MiB")
    print(f"diff.html:   {size / 2**20:.1f} MiB")
    if figures is None:
        print("browser:     skipped (no playwright or /usr/bin/chromium)")
        return
    print(f"page load:   {figures['load']:.2f} s (headless Chromium, to the load event)")
    print(f"DOM elements: {figures['nodes']:,}")
    print(f"show all:    {figures['all']:.2f} s; search to the last case {figures['search']:.2f} s; "
          f"open it {figures['open']:.2f} s")


if __name__ == "__main__":
    main()

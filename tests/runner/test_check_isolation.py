"""A check of the user's cannot stall, hang or end the run.

It used to run on the event loop: a slow ``python`` check held up every model call in flight (their
timers fired before their answers were read: false ``timeout`` errors), an endless one hung the run,
and a ``sys.exit()`` in one ended the run with exit code 1 (a failed gate, to CI) and a traceback.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
import time

from harness.candidates.responders import Reply
from harness.checks.custom import CustomCheckSpec, build_custom_check
from harness.datasets.schema import Case
from harness.records.store import iter_records
from harness.runner.evaluate import evaluate_case
from tests.cli.conftest import harness_cmd
from tests.runner.conftest import CASES


class Instant:
    name = "bot"

    async def respond(self, case, sample=0):
        return Reply(text="Sorry, fixing it now.", source="recorded")


def python_check(tmp_path, source: str, function: str, **fields):
    (tmp_path / "house.py").write_text(textwrap.dedent(source))
    spec = CustomCheckSpec(name="house", type="python", value=f"house.py:{function}", **fields)
    return build_custom_check(spec, lambda raw: tmp_path / raw)


def test_a_slow_check_leaves_the_loop_free_and_cases_overlap(tmp_path):
    slow = python_check(tmp_path, "import time\ndef slow(ctx):\n    time.sleep(0.4)\n    return True\n", "slow")
    cases = [Case(id=f"c{i}", turns=[{"role": "customer", "content": "late!"}]) for i in range(4)]
    beats: list[float] = []

    async def main():
        async def heartbeat():  # what an HTTP response in flight needs: the loop's attention, often
            while True:
                await asyncio.sleep(0.01)
                beats.append(time.monotonic())

        beat = asyncio.create_task(heartbeat())
        started = time.monotonic()
        records = await asyncio.gather(*(evaluate_case(case, Instant(), [slow], None) for case in cases))
        ended = time.monotonic()
        beat.cancel()
        return records, started, ended

    records, started, ended = asyncio.run(main())
    stamps = [started, *(b for b in beats if b < ended), ended]
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    wall = ended - started
    assert all(r.checks["house"].passed is True for r in records)
    assert max(gaps) < 0.2, f"the loop stalled for {max(gaps):.2f} s"  # 0.4 s per check, before
    assert wall < 1.2, f"{wall:.2f} s: the four checks ran one after another"  # 1.6 s, before


def test_a_check_past_its_limit_is_a_crash_on_that_case_and_the_case_goes_on(tmp_path):
    hang = python_check(tmp_path, "import time\ndef hang(ctx):\n    while True:\n        time.sleep(0.01)\n",
                        "hang", timeout_s=0.2)
    case = Case(id="c1", turns=[{"role": "customer", "content": "late!"}])
    started = time.monotonic()
    record = asyncio.run(evaluate_case(case, Instant(), [hang], None))
    assert time.monotonic() - started < 2
    assert record.error is None and record.reply == "Sorry, fixing it now."
    assert record.checks["house"].passed is None and record.checks["house"].data == {"error": "check_crashed"}
    assert record.checks["house"].detail.startswith("check crashed: TimeoutError: timed out after 0.2 s")


def test_a_run_whose_check_exits_or_hangs_finishes_with_the_crashes_recorded(tmp_path):
    (tmp_path / "cases.jsonl").write_text("".join(json.dumps(c) + "\n" for c in CASES))
    (tmp_path / "house.py").write_text(textwrap.dedent("""\
        import sys, time
        def leaves(ctx):
            if ctx.case.id == "c2":
                sys.exit(1)
            return True
        def hangs(ctx):
            while ctx.case.id == "c3":
                time.sleep(0.01)
            return True
        """))
    (tmp_path / "eval.yaml").write_text(textwrap.dedent("""\
        name: isolation
        dataset: cases.jsonl
        candidates: [{name: v1, recorded: v1}]
        checks:
          - {name: leaves, type: python, value: house.py:leaves}
          - {name: hangs, type: python, value: house.py:hangs, timeout_s: 0.3}
        max_error_rate: 1  # 2 of 3 records crash a check on purpose: above the default 5%, not what this tests
        """))
    started = time.monotonic()
    done = harness_cmd("run", "eval.yaml", "--out", "out", cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and time.monotonic() - started < 30
    checks = {r.case_id: r.checks for r in iter_records(tmp_path / "out")}
    assert checks["c2"]["leaves"].detail == ("check crashed: SystemExit: sys.exit(1) was called inside the check "
                                               "(at house.py:4 in leaves)")
    assert checks["c3"]["hangs"].detail.startswith("check crashed: TimeoutError: timed out after 0.3 s")
    assert checks["c1"]["leaves"].passed is True and checks["c1"]["hangs"].passed is True
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] != "interrupted"


def test_a_crash_names_the_line_of_the_users_check_file_it_raised_at(tmp_path, monkeypatch):
    """Not the harness's frames around the call, nor a library's under it: the innermost frame of the user's file,
    relative to the current directory as the eval file names it; a long message is clipped, not the place."""
    import asyncio

    from harness.checks.base import CheckContext
    from harness.checks.custom import CustomCheckSpec, build_custom_check
    from harness.datasets.schema import Case
    from harness.runner.evaluate import run_checks, run_checks_async

    (tmp_path / "mine.py").write_text(
        "import json\n"
        "def cites(ctx):\n"
        "    ref = ctx.case.metadata['account_ref']\n"
        "    return ref in ctx.reply\n"
        "def parses(ctx):\n"
        "    return json.loads(ctx.reply)\n"
        "def long(ctx):\n"
        "    raise ValueError('x' * 5000)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    ctx = CheckContext(case=Case.model_validate({"id": "b06", "turns": [{"role": "customer", "content": "hi"}]}),
                       reply="not json")
    for name, expected in [("cites", "check crashed: KeyError: 'account_ref' (at mine.py:3 in cites)"),
                           ("parses", "(at mine.py:6 in parses)")]:
        check = build_custom_check(CustomCheckSpec(name=name, type="python", value=f"mine.py:{name}"), lambda raw: tmp_path / raw)
        for found in (run_checks([check], ctx)[name], asyncio.run(run_checks_async([check], ctx))[name]):
            assert found.detail.endswith(expected) and found.detail.startswith("check crashed: "), found.detail
    check = build_custom_check(CustomCheckSpec(name="long", type="python", value="mine.py:long"), lambda raw: tmp_path / raw)
    detail = run_checks([check], ctx)["long"].detail
    assert len(detail) <= 2000 and detail.endswith("xxx (at mine.py:8 in long)")

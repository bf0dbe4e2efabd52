"""``harness generate`` against the loopback OpenAI-compatible server: valid cases written, junk retried with
the error then counted, near-duplicates and seed copies dropped, a 500 counted while the rest goes on,
provenance and unique ids, a free rerun, and the output run by ``harness validate`` and ``harness run``."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from harness.cli.main import main
from harness.generate.quality import answer_json
from tests.support.openai_server import OpenAIServer

SEEDS = [
    {"id": "s1", "persona": "angry", "category": "parcel_delivery", "channel": "twitter",
     "turns": [{"role": "customer", "content": "@ShipIt my parcel #A-1 was due monday and its STILL not here. "
                                               "sort it out or im charging back"}],
     "context": {"max_refund": 40, "currency": "GBP", "allowed_offers": ["trace", "refund of shipping"],
                 "facts": ["Order A-1 scanned at depot"]},
     "metadata": {"locale": "en-GB"}},
    {"id": "s2", "persona": "passive_aggressive", "category": "telecom", "channel": "email",
     "turns": [{"role": "customer", "content": "Thanks so much for the third outage this week, truly world class "
                                               "service. I suppose paying on time is optional for you too?"}]},
]
# Distinct complaints (no two share a word 3-gram worth the name), served in turn.
COMPLAINTS = [
    "Your courier left my parcel in the rain outside the wrong house and now the laptop inside will not boot.",
    "I was billed twice for March on account 88-1022 and nobody has answered my three emails about the refund.",
    "The engineer never turned up on Tuesday, I took a day off work for nothing and I expect compensation.",
    "Oh wonderful, another upgrade that broke the app, exactly what I needed during my exam week, thanks.",
    "Three hours on hold yesterday just to be told the router replacement is still waiting on stock somewhere.",
    "Someone opened my package, took the headphones and resealed the box, and your driver marked it delivered.",
]


class Replies:
    """Answers from a list, one per first ask, then the complaints above in turn; a retry (a request showing
    the model its refused answer) is answered from ``retries``, by the refused answer."""

    def __init__(self, *scripted: str, retries: dict[str, str] | None = None) -> None:
        self.scripted = list(scripted)
        self.retries = retries or {}
        self.served = 0

    def __call__(self, body: dict) -> str:
        messages = body["messages"]
        if messages[-2]["role"] == "assistant":
            return self.retries[messages[-2]["content"]]
        if self.scripted:
            return self.scripted.pop(0)
        text = COMPLAINTS[self.served % len(COMPLAINTS)]
        self.served += 1
        return answer_json(text)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("HARNESS_RETRY_BACKOFF_S", "0")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds.jsonl").write_text("".join(json.dumps(row) + "\n" for row in SEEDS))
    return tmp_path


def generate(server: OpenAIServer, root: Path, *extra: str, count: int = 3) -> int:
    return main(["generate", "--count", str(count), "--seeds", str(root / "seeds.jsonl"),
                 "--model", "openai/test-model", "--api-base", server.base_url, "--cache", str(root / "c.sqlite"),
                 "--out", str(root / "gen.jsonl"), "--concurrency", "1", *extra])


def written(root: Path) -> list[dict]:
    return [json.loads(line) for line in (root / "gen.jsonl").read_text().splitlines()]


def summary_line(err: str) -> str:
    return next(line for line in err.splitlines() if " kept of " in line)


def test_valid_cases_written_with_provenance_and_unique_ids(project, capsys):
    with OpenAIServer(reply=Replies()) as server:
        assert generate(server, project, "--seed", "7") == 0
    cases = written(project)
    assert len(cases) == 3
    ids = [case["id"] for case in cases]
    assert len(set(ids)) == 3 and not set(ids) & {"s1", "s2"}
    for case in cases:
        made = case["metadata"]["generated"]
        assert made["by"] == "openai/test-model" and made["generator"].startswith("harness-generate/")
        assert made["seed_case"] in {"s1", "s2"} and made["seed"] == 7
        assert made["asked"]["persona"] == case["persona"] and made["asked"]["category"] == case["category"]
        assert [turn["role"] for turn in case["turns"]] == ["customer"]
        assert case["turns"][0]["content"] in COMPLAINTS
        assert "facts" not in case.get("context", {})  # the seed customer's own facts are not carried over
    from_s1 = [case for case in cases if case["metadata"]["generated"]["seed_case"] == "s1"]
    assert all(case["context"]["max_refund"] == 40 for case in from_s1)
    line = summary_line(capsys.readouterr().err)
    assert "3 asked, 3 kept of 3 wanted" in line and "0 near-duplicates" in line and "0 failed calls" in line
    capsys.readouterr()
    assert main(["validate", str(project / "gen.jsonl")]) == 0
    assert "3 cases" in capsys.readouterr().out


def test_junk_is_retried_with_the_error_then_counted(project, capsys):
    replies = Replies("this is not json", "still {not json",
                      retries={"this is not json": answer_json(COMPLAINTS[0]),  # first ask: junk, then valid
                               "still {not json": '{"complaint": 12}'})       # second ask: junk twice
    with OpenAIServer(reply=replies) as server:
        assert generate(server, project, "--count", "2", "--max-asks", "2") == 0
        retry = next(r.messages for r in server.requests if r.messages[-2]["content"] == "this is not json")
    assert [m["role"] for m in retry[-2:]] == ["assistant", "user"]
    assert retry[-2]["content"] == "this is not json" and "not JSON" in retry[-1]["content"]
    line = summary_line(capsys.readouterr().err)
    assert "2 asked, 1 kept of 2 wanted (1 after a retry)" in line and "1 junk JSON after a retry" in line
    assert len(written(project)) == 1


def test_near_duplicates_and_seed_copies_dropped_then_refilled(project, capsys):
    same = COMPLAINTS[-1]  # the refills are served COMPLAINTS[0], [1], ...: no other repeat
    reworded = same.replace("headphones", "tablet")
    copy = answer_json(SEEDS[1]["turns"][0]["content"] + " Unbelievable.")
    with OpenAIServer(reply=Replies(answer_json(same), answer_json(reworded), copy, answer_json("too short"))) \
            as server:
        assert generate(server, project, "--count", "4") == 0
    err = capsys.readouterr().err
    line = summary_line(err)
    assert "1 near-duplicates" in line and "1 too short" in line
    # The copy of s2 is a copy of its seed when s2 was its seed, else a near-duplicate of a seed: dropped either way.
    assert ("1 copies of their seed" in line) != ("2 near-duplicates" in line)
    cases = written(project)
    assert len(cases) == 4 and sum(case["turns"][0]["content"] == same for case in cases) == 1
    assert all("tablet" not in case["turns"][0]["content"] for case in cases)
    assert "more generations in place of those dropped" in err  # the dropped ones were refilled


def test_a_server_error_is_counted_and_the_rest_goes_on(project, capsys):
    with OpenAIServer(reply=Replies()) as server:
        server.queue("server_error", None, "rate_limit")  # the first and third asks' calls, not retried
        assert generate(server, project, "--count", "3", "--max-retries", "0") == 0
    err = capsys.readouterr().err
    assert "2 failed calls (1 rate_limit, 1 server_error)" in summary_line(err)
    assert len(written(project)) == 3  # refilled
    assert "server_error" in next(line for line in err.splitlines() if "gen-s0-0001" in line)


def test_a_rerun_is_answered_by_the_cache(project, capsys):
    with OpenAIServer(reply=Replies()) as server:
        assert generate(server, project) == 0
        first = written(project)
        asked = len(server.requests)
        assert generate(server, project, "--force") == 0
        assert len(server.requests) == asked
    assert written(project) == first
    assert "3 from the cache" in capsys.readouterr().err


def test_dry_run_makes_no_call_and_existing_output_is_kept(project, capsys):
    (project / "gen.jsonl").write_text("keep me\n")
    with OpenAIServer(reply=Replies()) as server:
        assert generate(server, project) == 2
        assert "gen.jsonl exists: give --force" in capsys.readouterr().err
        assert generate(server, project, "--dry-run", "--personas", "Angry,abusive",
                        "--categories", "hotel") == 0
        assert server.requests == []
    err = capsys.readouterr().err
    assert "3 calls to start (0 answered by the cache)" in err
    assert "angry/hotel  from s1" in err and "abusive/hotel" in err
    assert (project / "gen.jsonl").read_text() == "keep me\n"


def test_bad_options_are_one_line(project, capsys):
    with OpenAIServer(reply=Replies()) as server:
        assert generate(server, project, "--personas", "furious") == 2
        assert "--personas: unknown persona 'furious'" in capsys.readouterr().err
        assert main(["generate", "--count", "2", "--no-seeds", "--out", str(project / "x.jsonl")]) == 2
        assert "nothing to generate from" in capsys.readouterr().err
        assert server.requests == []


def test_nothing_kept_writes_nothing_and_exits_3(project, capsys):
    with OpenAIServer(reply=Replies(answer_json("too short"))) as server:
        assert generate(server, project, "--count", "1", "--max-asks", "1") == 3
    assert "no case passed the gates: nothing written" in capsys.readouterr().err
    assert not (project / "gen.jsonl").exists()


def test_grid_without_seeds(project, capsys):
    with OpenAIServer(reply=Replies()) as server:
        assert main(["generate", "--count", "2", "--no-seeds", "--personas", "indecisive",
                     "--categories", "hotel,airline", "--products", "city break", "--policy", "No refunds after 14 days",
                     "--model", "openai/test-model", "--api-base", server.base_url,
                     "--cache", str(project / "c.sqlite"), "--out", str(project / "gen.jsonl")]) == 0
        prompt = server.requests[0].messages[-1]["content"]
    assert "indecisive" in prompt and "city break" in prompt and "No refunds after 14 days" in prompt
    cases = written(project)
    assert [case["category"] for case in cases] == ["hotel", "airline"]
    assert all(case["context"]["notes"] == "No refunds after 14 days" for case in cases)
    assert all(case["metadata"]["generated"]["seed_case"] is None for case in cases)


def test_harness_run_on_the_generated_cases(project, capsys):
    with OpenAIServer(reply=Replies()) as server:
        assert generate(server, project) == 0
        (project / "eval.yaml").write_text(textwrap.dedent(f"""\
            name: generated
            dataset: gen.jsonl
            candidates:
              - name: served
                model: openai/test-model
                api_base: {server.base_url}
                prompt: "You are a support agent."
            checks: [apology_wording, no_contradiction]
            """))
        code = main(["run", str(project / "eval.yaml"), "--out", str(project / "run"), "--quiet",
                     "--cache", str(project / "c.sqlite")])
    assert code in (0, 1)  # graded (gates may fail): not a usage error or a crash
    records = (project / "run" / "records.jsonl").read_text().splitlines()
    assert len(records) == 3 and all(json.loads(r)["error"] is None for r in records)


def test_fewer_kept_than_wanted_are_written_and_the_shortfall_said(project, capsys):
    looping = answer_json("I want to complain about the driver. " * 5)
    with OpenAIServer(reply=Replies(looping, answer_json(COMPLAINTS[0]), looping)) as server:
        assert generate(server, project, "--count", "2", "--max-asks", "3") == 0
    err = capsys.readouterr().err
    assert "3 asked, 1 kept of 2 wanted" in summary_line(err) and "2 repeating themselves" in summary_line(err)
    assert len(written(project)) == 1
    assert "1 fewer than the 2 wanted: every one of --max-asks 3 was used" in err

"""A nightly project on disk: the scenario dataset, an eval file with gates, and a scripted bot whose quality
the test sets night by night (so a regression can be planted on one night)."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from harness.models.fake import clear_fakes, register_fake

DATA = Path(__file__).parent / "data"
GOOD = "I apologize for the trouble with this. I have opened ticket 7 and will email you an update within 24 hours."
# Disputes the customer's account: the no_contradiction check catches "that's not true" and "you must have".
BAD = "That's not true, you must have made a mistake. Please check your details again."
REGRESSED_CASES = ["n02", "n04", "n05", "n07", "n08"]

EVAL = """\
name: nightly
dataset: {dataset}
candidates:
  - name: bot
    model: fake/nightly-bot
    prompt: "You are a support agent for {{{{ category }}}}."
    {epochs}
checks: [no_contradiction, apology_wording, next_step]
judge:
  model: fake/nightly-judge
  rubric: {rubric}
max_error_rate: 0.25
gates:
  checks:
    no_contradiction: {{min: 0.75, max_regression: 0.10}}
    "*": {{max_regression: 0.50}}
  criteria:
    owns_the_problem: {{min: 0.5}}
"""


class Bot:
    """Which cases answer badly tonight; everything else gets the good reply."""

    def __init__(self) -> None:
        self.bad_cases: set[str] = set()
        self.failing_cases: set[str] = set()  # raise a non-retryable error instead of answering

    def __call__(self, messages, config):
        from harness.errors import ModelCallError

        text = messages[-1].content
        case = next(c for c in CASE_TEXT if CASE_TEXT[c] in text)
        if case in self.failing_cases:
            return ModelCallError("provider said no")
        return BAD if case in self.bad_cases else GOOD


def _case_text() -> dict[str, str]:
    rows = [json.loads(line) for line in (DATA / "cases.jsonl").read_text().splitlines() if line.strip()]
    return {row["id"]: row["turns"][-1]["content"] for row in rows}


CASE_TEXT = _case_text()


def judge(messages, config):
    """Passes a reply that does not dispute the customer."""
    reply = messages[-1].content.split(" reply\n", 1)[1].split("\n>>>END-", 1)[0]
    criterion = re.search(r"Criterion `([a-z_]+)`", messages[-1].content).group(1)
    owned = "not true" not in reply.lower()
    return json.dumps({"reason": f"{criterion}: {'owns it' if owned else 'disputes the customer'}",
                       "score": "pass" if owned else "fail"})


@pytest.fixture
def nightly(tmp_path, monkeypatch):
    """(project dir, bot): an eval file ``nightly.yaml`` in ``tmp_path`` and the bot it calls."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(DATA / "cases.jsonl", tmp_path / "cases.jsonl")
    shutil.copy(DATA / "rubric.yaml", tmp_path / "rubric.yaml")
    write_eval(tmp_path)
    bot = Bot()
    register_fake("fake/nightly-bot", bot)
    register_fake("fake/nightly-judge", judge)
    yield tmp_path, bot
    clear_fakes()


def write_eval(project: Path, epochs: str = "") -> Path:
    path = project / "nightly.yaml"
    path.write_text(EVAL.format(dataset="cases.jsonl", rubric="rubric.yaml", epochs=epochs))
    return path

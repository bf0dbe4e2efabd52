"""Every place that shows a candidate says what it is (model, parameters, prompt file; recorded; replayed), the
eval file's ``description:`` is shown, ``harness history`` splits a run of several candidates, the terminal
keeps long candidate names apart, and the runs page links every diff of a pair and the within-run command."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from harness.cli.main import main
from harness.history.table import history_rows, render_history
from harness.report.history_html import DATA_ID, write_index_html
from harness.report.terminal import print_summary
from harness.scoring.scorecard import load_scorecard
from harness.scoring.setups import candidate_setup, candidate_setups
from tests.report.history_runs import EVAL, make_results, run

MODEL = {"name": "openai/gpt-4o-mini", "api_base": "http://x", "api_key_env": "K", "concurrency": 8,
         "timeout_s": 60.0, "max_retries": 4, "params": {"temperature": 0.7, "max_tokens": 200}}


def test_a_candidate_in_a_few_words():
    model = {"name": "v2", "kind": "model", "model": MODEL, "prompt_file": "prompts/v2.jinja", "prompt_sha256": "x"}
    assert candidate_setup(model) == "openai/gpt-4o-mini (temperature 0.7, max_tokens 200, prompt prompts/v2.jinja)"
    inline = {**model, "prompt_file": None, "model": {**MODEL, "params": {"seed": 7, "stop": ["\n"]}}}
    assert candidate_setup(inline) == 'openai/gpt-4o-mini (seed 7, stop ["\\n"], inline prompt)'
    older = {"name": "v1", "kind": "model", "model": {"name": "m", "params": {}}}  # no prompt_file key: not "inline"
    assert candidate_setup(older) == "m"
    assert candidate_setup({"name": "r", "kind": "recorded", "recorded": "bot-v1"}) == "recorded bot-v1"
    replayed = {"name": "b", "kind": "replayed", "replies_from": "results/run-3", "candidate": "bot"}
    assert candidate_setup(replayed) == "replayed from results/run-3 (bot)"
    assert candidate_setups([model, "junk", {"kind": "recorded", "recorded": "x"}]) == {"v2": candidate_setup(model)}
    assert candidate_setups(None) == {}


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("setups")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        make_results(root)
        (root / "solo.yaml").write_text("name: solo\ndescription: \"v2: be brief\"\ndataset: cases.jsonl\n"
                                        "candidates:\n  - name: bot\n    recorded: bot2\nchecks: [next_step]\n")
        run("solo", "solo-1")
        (root / "described.yaml").write_text(EVAL.format(name="described")
                                             + "description: Two recorded versions, <b>side</b> by side\n")
        run("described", "described-1")
    return root


@pytest.fixture
def project(made, tmp_path, monkeypatch) -> Path:
    shutil.copytree(made, tmp_path / "p")
    monkeypatch.chdir(tmp_path / "p")
    return tmp_path / "p"


def test_scorecard_md_and_report_html_name_each_candidate_and_the_description(project):
    md = (project / "results/described-1/scorecard.md").read_text()
    assert "- description: Two recorded versions, &lt;b&gt;side&lt;/b&gt; by side" in md
    assert "- candidates:\n  - bot: recorded bot\n  - bot-v2: recorded bot2\n" in md
    html = (project / "results/described-1/report.html").read_text()
    assert "<dt>description</dt><dd>Two recorded versions, &lt;b&gt;side&lt;/b&gt; by side</dd>" in html
    assert "<dt>candidates</dt><dd><b>bot</b>: recorded bot<br><b>bot-v2</b>: recorded bot2</dd>" in html
    card = load_scorecard(project / "results/described-1")
    assert card.run.candidate_setups == {"bot": "recorded bot", "bot-v2": "recorded bot2"}


def test_a_scorecard_json_of_an_older_harness_still_reads(project):
    path = project / "results/support-1/scorecard.json"
    data = json.loads(path.read_text())
    del data["run"]["candidate_setups"], data["run"]["description"]
    path.write_text(json.dumps(data))
    card = load_scorecard(path)
    assert card.run.candidate_setups == {} and card.run.description is None


def _terminal(card, width: int) -> str:
    out = io.StringIO()
    print_summary(card, Console(file=out, width=width, color_system=None))
    return out.getvalue()


MATRIX = ["v1@openai:mock-small", "v1@openai:mock-big", "v2@openai:mock-small", "v2@openai:mock-big", "bot-v1"]


@pytest.mark.parametrize("width", [100, 80])
def test_the_terminal_keeps_long_names_apart_and_says_what_each_is(project, width):
    card = load_scorecard(project / "results/support-1")
    first = next(iter(card.candidates.values()))
    card.candidates = {name: first for name in MATRIX}
    card.run.candidate_setups = {name: f"openai/{name.split(':')[-1]} (temperature 0.2)" for name in MATRIX}
    text = _terminal(card, width)
    lines = text.splitlines()
    head = lines[next(i for i, l in enumerate(lines) if l.startswith("┏")) + 1:
                 next(i for i, l in enumerate(lines) if l.startswith("┡"))]
    columns = [""] * len(head[0].split("┃"))
    for line in head:  # a folded header reads top to bottom
        for i, part in enumerate(line.split("┃")):
            columns[i] += part.strip()
    assert [c for c in columns if c and c != "measure"] == MATRIX
    assert "…" not in "".join(head)
    for name in MATRIX:  # one line per candidate under the table, in full
        assert f"{name}: openai/{name.split(':')[-1]} (temperature 0.2)" in text


def test_history_gives_each_candidate_of_a_run_its_own_line(project):
    text = render_history(history_rows("results"))
    lines = text.splitlines()
    assert lines[0].split()[-1] == "candidate"
    at = next(i for i, l in enumerate(lines) if l.startswith("support-1 "))
    run_line, bot, v2 = lines[at:at + 3]
    assert "%" not in run_line and run_line.endswith("2 candidates")  # no mean over competing candidates
    assert bot.split()[0] == "bot" and bot.startswith("  ") and bot.endswith("recorded bot")
    assert v2.split()[0] == "bot-v2" and "%" in v2 and v2.endswith("recorded bot2")
    solo = next(l for l in lines if l.startswith("solo-1 "))
    assert "%" in solo and solo.endswith("bot: recorded bot2")  # one candidate: one line, as before
    assert not any(line.startswith("  ") for line in lines[lines.index(solo) + 1:lines.index(solo) + 2])


def _data(page: Path) -> dict:
    text = page.read_text()
    return json.loads(re.search(f'<script type="application/json" id="{DATA_ID}">(.*?)</script>', text, re.S).group(1))


def test_runs_page_says_what_each_candidate_is_and_shows_the_description(project):
    page, _ = write_index_html("results")
    text = page.read_text()
    assert '<span class="fig" title="recorded bot2">bot-v2</span>' in text
    assert "<dt>candidate bot-v2</dt><dd>recorded bot2</dd>" in text
    assert 'title="Two recorded versions, &lt;b&gt;side&lt;/b&gt; by side"' in text
    assert "<dt>description</dt><dd>v2: be brief</dd>" in text


def test_runs_page_links_every_diff_of_a_pair_and_the_within_run_command(project):
    for out in ("results/d-early", "results/diff-support-1-support-2"):
        assert main(["diff", "results/support-1", "results/support-2", "--out", out]) == 0
    assert main(["diff", "results/support-2", "--pair", "bot=bot-v2", "--out", "results/inside"]) == 0
    page, _ = write_index_html("results")
    folders = sorted(d["folder"] for d in _data(page)["diffs"]["support-1\nsupport-2"])
    assert folders == ["d-early", "diff-support-1-support-2"]  # both, not the last one read
    assert "support-2\nsupport-2" not in _data(page)["diffs"]
    text = page.read_text()
    detail = text[text.index('<tr class="detail"', text.index('value="support-2"')):]
    detail = detail[:detail.index("</tr>")]
    assert ("Compare two of its candidates: <code>harness diff results/support-2 --pair bot=bot-v2 --out "
            "results/diff-support-2-bot-bot-v2</code>") in detail
    assert 'Already written: <a href="inside/diff.html">inside</a>' in detail
    solo = text[text.index('<tr class="detail"', text.index('value="solo-1"')):]
    assert "Compare two of its candidates" not in solo[:solo.index("</tr>")]  # one candidate: nothing to pair


def test_a_prompt_edited_in_place_reads_differently_by_its_short_hash():
    from harness.scoring.setups import candidate_setup

    base = {"name": "bot", "kind": "model", "model": {"name": "openai/m", "params": {}}, "prompt_file": "p.jinja"}
    before = candidate_setup({**base, "prompt_sha256": "3f2a1b0" + "0" * 57})
    after = candidate_setup({**base, "prompt_sha256": "9c8d7e6" + "0" * 57})
    assert before == "openai/m (prompt p.jinja 3f2a1b0)" and after == "openai/m (prompt p.jinja 9c8d7e6)"
    assert candidate_setup(base) == "openai/m (prompt p.jinja)"  # a record without a hash: the file alone

"""`harness validate` renders prompt templates for the dataset's cases and says what an undefined variable
was meant to be, as the run does; `harness run --repeat N` samples each case N times (epochs: N)."""

import json

import pytest

from harness.cli.main import main
from harness.config.evalfile import load_eval, repeated
from tests.cli.conftest import harness_cmd


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(
        {"id": f"t{i}", "turns": [{"role": "customer", "content": "late"}],
         "metadata": {"order_id": str(4411 + i)} if i != 1 else {"note": "no order id on this one"},
         "recorded_replies": {"v1": "Sorry."}}) + "\n" for i in range(3)))
    return tmp_path


def eval_with(project, prompt: str, extra: str = "") -> None:
    (project / "p.txt").write_text(prompt)
    (project / "e.yaml").write_text("dataset: d.jsonl\ncandidates:\n"
                                    "  - {name: m, model: openai/x, api_base: 'http://127.0.0.1:9/v1', prompt: p.txt}\n"
                                    + extra)


# promptfoo's prompt carries the customer's message; here it is the user turn(s) already, so the hint says so
# before naming customer_text (it said "did you mean customer_text?", inviting the message in twice).
CUSTOMER = ("the customer's message already reaches the model as the user turn(s), after this system prompt: "
            "leave it out, or quote it here with {{ customer_text }}")


@pytest.mark.parametrize("prompt, said", [
    ("Order {{order_id}}", "'order_id' is undefined; did you mean metadata.order_id?"),
    ("Said: {{ vars.complaint }}", "'vars' is undefined; promptfoo's vars are the case's own fields here: "
                                   f"{CUSTOMER}"),
    ("Order {{ vars.order_id }}", "'vars' is undefined; promptfoo's vars are the case's own fields here: "
                                  "did you mean metadata.order_id?"),
    ("Said: {{ complaint }}", f"'complaint' is undefined; {CUSTOMER}"),
    ("Said: {{ message }}", f"'message' is undefined; {CUSTOMER}"),
    ("Hi {{ persna }}", "'persna' is undefined; did you mean persona?"),
])
def test_validate_stops_on_an_undefined_variable_with_what_it_meant(project, capsys, prompt, said):
    eval_with(project, prompt)
    assert main(["validate", "e.yaml"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error e.yaml:3: candidates[0].prompt: template p.txt fails on case 't0': {said}"


@pytest.mark.parametrize("prompt, said", [
    ("Order {{ metadata.order_id }}", "the case has no metadata.order_id (2 of 3 cases have it; "
                                      "{{ metadata.order_id | default('') }} renders without it)"),
    ("Order {{ case['metadata']['order_id'] }}", "the case has no case.metadata.order_id (2 of 3 cases have it; "
                                                 "{{ case.metadata.order_id | default('') }} renders without it)"),
])
def test_a_key_one_case_lacks_is_named_as_the_case_s_field(project, capsys, prompt, said):
    # jinja's own words were "'dict object' has no attribute 'order_id'": neither the field nor the cause
    eval_with(project, prompt)
    assert main(["validate", "e.yaml"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error e.yaml:3: candidates[0].prompt: template p.txt fails on case 't1': {said}"


def test_run_stops_with_the_same_line(project, capsys):
    eval_with(project, "Order {{order_id}}")
    assert main(["run", "e.yaml", "--out", "r"]) == 2
    assert capsys.readouterr().err.strip() == ("harness: error: e.yaml:3: candidates[0].prompt: template p.txt fails "
                                               "on case 't0': 'order_id' is undefined; did you mean metadata.order_id?")


def test_a_large_dataset_is_rendered_for_a_sample_and_says_so(project, capsys, monkeypatch):
    import harness.cli.validation as validation

    monkeypatch.setattr(validation, "RENDERED_AT_MOST", 2)
    eval_with(project, "Order {{ metadata.order_id }}")
    assert main(["validate", "e.yaml"]) == 0
    err = capsys.readouterr().err
    assert "prompt templates rendered for 2 of the 3 cases (one in every 2)" in err


def test_a_bare_name_in_a_check_value_suggests_the_metadata_key(project, capsys):
    eval_with(project, "Hi", "checks:\n  - {name: c, type: contains, value: '{{order_id}}'}\n"
                             "  - {name: d, type: contains, value: '{{ vars.order_id }}'}\n")
    assert main(["validate", "e.yaml"]) == 2
    err = capsys.readouterr().err
    assert "'order_id' is not a case field; did you mean {{ metadata.order_id }}?" in err
    assert "'vars' is not a case field; promptfoo's vars are metadata here: did you mean {{ metadata.order_id }}?" in err


def test_repeat_sets_every_model_candidates_epochs(project):
    (project / "e.yaml").write_text("dataset: d.jsonl\ncandidates:\n  - {name: v1, recorded: v1}\n"
                                    "  - {name: m, model: openai/x, prompt: Hi, epochs: 2}\n")
    with repeated(4):
        loaded = load_eval("e.yaml")
    assert [c.epochs for c in loaded.spec.candidates] == [1, 4]
    assert [c.epochs for c in load_eval("e.yaml").spec.candidates] == [1, 2]  # outside: as the file says


def test_repeat_out_of_range_is_refused(project, capsys):
    eval_with(project, "Hi")
    assert main(["run", "e.yaml", "--repeat", "0"]) == 2
    assert "--repeat: must be a whole number from 1 to 1000" in capsys.readouterr().err


def test_run_repeat_samples_each_case_n_times_and_the_manifest_says_so(served_project):
    root = served_project["dir"]
    done = harness_cmd("run", "eval.yaml", "--out", "r", "--no-cache", "--repeat", "3", "--cases", "k0,k1",
                       cwd=root)
    assert done.returncode == 0, done.stderr
    assert "--repeat 3: 3 sample(s) per case of each model candidate" in done.stderr
    records = [json.loads(line) for line in (root / "r" / "records.jsonl").read_text().splitlines()]
    served = sorted((r["case_id"], r["sample"]) for r in records if r["candidate"] == "served")
    assert served == [(c, s) for c in ("k0", "k1") for s in range(3)]
    manifest = json.loads((root / "r" / "manifest.json").read_text())
    assert {c["name"]: c["epochs"] for c in manifest["eval_spec"]["candidates"]} == {"bot-v1": 1, "served": 3}

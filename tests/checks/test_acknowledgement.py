"""acknowledgement: the reply reflects specifics from the customer's turns."""

import pytest

from harness.datasets.schema import Case

COMPLAINT = "Ordered the Galaxy Buds (order #A55123) on 3/14 for $129.99 and the package never came!!"

CASES = [
    ("Sorry the Galaxy Buds haven't arrived.", ["Galaxy Buds"]),
    ("I've found order A55123.", ["order", "A55123"]),
    ("We'll refund the $129.99 today.", ["$129.99"]),
    ("Your order from 3/14 is delayed.", ["order", "3/14"]),
    ("I'm sorry the package never came.", ["package"]),
    ("Thanks for contacting us!", []),
    ("", []),
]


@pytest.mark.parametrize("reply,specifics", CASES)
def test_specifics(run, reply, specifics):
    result = run("acknowledgement", reply, complaint=COMPLAINT)
    assert result.data == {"specifics": specifics}
    assert result.passed is bool(specifics)


def test_handles_and_urls_do_not_count(run):
    result = run("acknowledgement", "@GalaxyHelp see https://ex.com/A55123", complaint=COMPLAINT)
    assert result.passed is False


def test_no_specifics_in_complaint_is_not_applicable(run):
    result = run("acknowledgement", "Sorry about that!", complaint="ugh!!! worst. ever. 😡")
    assert result.passed is None
    assert result.data == {"specifics": []}


def test_uses_every_customer_turn(run):
    case = Case(id="t", turns=[
        {"role": "customer", "content": "my order 99881 is late"},
        {"role": "agent", "content": "Hi, how can we help?"},
        {"role": "customer", "content": "still waiting..."},
    ])
    assert run("acknowledgement", "Order 99881 ships today.", case=case).passed is True


def test_word_matcher_finds_what_the_alternation_regex_found():
    """_Words replaced a per-case compiled regex; it must find the very same spans."""
    import json
    import re
    from pathlib import Path

    from harness.checks.acknowledgement import _Words, customer_specifics
    from harness.checks.text import analyze

    rows = [json.loads(line) for line in
            (Path(__file__).parents[1] / "data" / "labelled_replies.jsonl").read_text().splitlines() if line]
    words_seen = 0
    for row in rows:
        specifics = customer_specifics(row["customer"])
        words = frozenset().union(*(specifics[k] for k in ("id", "date", "name", "topic"))) | {"ab", "abc"}
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        regex = re.compile(r"(?:" + alternatives + r")(?![\w])")
        norm = analyze(row["reply"]).norm + " abc ab abcd"
        assert _Words(words).spans(norm) == [m.span() for m in regex.finditer(norm)]
        words_seen += len(words)
    assert words_seen > 2 * len(rows)

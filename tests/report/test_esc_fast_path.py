"""``esc`` returns text without special characters as it is (a fast path); it must still escape exactly as
``html.escape(str(value), quote=True)`` does, for every kind of value a report shows."""

from __future__ import annotations

import html

from harness.report.html_parts import esc
from harness.report.html_records import EscapedLabels


class Shouty(str):
    def __str__(self) -> str:
        return self.upper()


def test_esc_matches_html_escape():
    values = ["", "plain", "a & b", "<b>", "it's", 'say "hi"', "é—🤬\n", "&amp;", 0, 1.5, True, ["<x>"],
              Shouty("a<b")]
    for value in values:
        assert esc(value) == html.escape(str(value), quote=True), value
    assert esc(None) == ""


def test_escaped_labels_escape_once_and_match_esc():
    labels = EscapedLabels()
    for label in ["bench-bot", "a<b", "it's", "(none)"]:
        assert labels[label] == esc(label)
        assert labels[label] is labels[label]

"""A quoted cell that runs on past commas on its own line is named at its line and column.

`n03,"@AcmeAir ... 😡,We're sorry ...!,"I'm sorry ...` (the complaint's closing quote forgotten) read as one
cell up to the reply's opening quote, and the error was about the cells it shifted:
`c_quote.csv:4: context.boundary_required: unknown field`.
"""

import pytest

from harness.datasets.csv_rows import csv_rows
from harness.datasets.loader import load_dataset
from harness.errors import DatasetError

HEADER = "id,complaint,reply:v1,reply:v2,persona,context,expectations\n"


def write_csv(tmp_path, text):
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path):
    with pytest.raises(DatasetError) as info:
        list(csv_rows(path))
    return str(info.value)


def test_the_review_row_is_named_at_its_quote(tmp_path):
    good = 'n1,fine,a,b,angry,,\n'
    bad = ('n3,"Flight delayed 40 min 😡,We\'re sorry you feel that way!,"I\'m sorry, truly. Miles are not '
           'eligible.",unreasonable_demand,"{""max_refund"": 0}","{""boundary_required"": true}"\n')
    path = write_csv(tmp_path, HEADER + good + bad + good.replace("n1", "n4"))
    assert error_of(path) == (
        f"{path}:3: complaint: the quoted cell that opens at column 4 runs on past 2 commas: the next quote (column "
        f"60) is followed by 'I', not ',' or the end of the row, so the row reads 6 fields where the header has 7 "
        f"and the cells after it are shifted (close the quote where the cell ends; a quote inside a quoted cell is "
        f"written \"\")")
    with pytest.raises(DatasetError, match="runs on past 2 commas"):
        load_dataset(path)  # before the shifted cells are read as context or expectations


@pytest.mark.parametrize("text, cells", [
    # ("ab"c, which read abc, and "a, b" c, which read a, b c, are refused now: their quotes were dropped from
    # the case's text without a word; tests/datasets/test_csv_stray_quotes.py)
    # a short row without a malformed quote is a row lacking its last cells
    ('id,complaint,reply:v1\n1,"a, b"\n', ["1", "a, b"]),
])
def test_rows_of_the_right_width_still_load(tmp_path, text, cells):
    path = write_csv(tmp_path, text)
    assert [list(row.values()) for _, row, _ in csv_rows(path)] == [cells]

"""A quoted CSV cell with a stray quote inside it, or text after its closing quote, is refused at its line and
column with the cell written as CSV means it, instead of loading with its text silently changed:
``t1,"I was charged "twice"",Sorry`` loaded the complaint ``I was charged twice""``, and
``t1,"I was charged twice" and more,Sorry`` loaded ``I was charged twice and more``.

The one-line ``"ab"c`` (read ``abc`` by Python's csv and pandas) is refused too: a complaint whose quotes
vanish is a changed complaint, and nobody writes ``"ab"c`` meaning ``abc``. A quote inside an unquoted cell
(``I was "charged" twice``) is text, as before.
"""

import pytest

from harness.datasets.csv_rows import csv_rows
from harness.datasets.loader import load_dataset
from harness.errors import DatasetError

HEADER = "id,complaint,reply:current-bot\n"


def write_csv(tmp_path, text, name="d.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def refused(tmp_path, text) -> DatasetError:
    with pytest.raises(DatasetError) as info:
        load_dataset(write_csv(tmp_path, text))
    assert "\n" not in str(info.value)
    return info.value


def test_a_quote_inside_a_quoted_cell_not_doubled(tmp_path):
    error = refused(tmp_path, HEADER + 't1,"I was charged "twice"",Sorry\n')
    assert (error.line, error.field) == (2, "complaint")
    assert str(error).endswith(
        'd.csv:2: complaint: the quoted cell that opens at column 4 has a quote at column 19 followed by \'t\', '
        'not by \',\' or the end of the row: a quote inside a quoted cell is written "" (here "I was charged '
        '""twice"""); read leniently, as pandas does, the cell would be \'I was charged twice""\'')


def test_text_after_the_closing_quote(tmp_path):
    error = refused(tmp_path, HEADER + 't0,fine,ok\nt1,"I was charged twice" and more,Sorry\n')
    assert (error.line, error.field) == (3, "complaint")
    assert 'column 24 followed by \' \'' in str(error)
    assert '(here """I was charged twice"" and more")' in str(error)  # the quotes kept as text
    assert "the cell would be 'I was charged twice and more'" in str(error)


@pytest.mark.parametrize("cell, fix", [
    ('"ab"c', '"""ab""c"'),
    ('"a, b" c', '"a, b"" c"'),  # a comma inside: the first quote is the cell's
    ('"He said ""no"" and "bye""', '"He said ""no"" and ""bye"""'),  # quotes already doubled stay doubled
])
def test_the_one_line_lenient_cases_are_refused_too(tmp_path, cell, fix):
    # They kept the row's width, so nothing said the text had changed.
    assert f"(here {fix})" in str(refused(tmp_path, HEADER + f"t1,{cell},r\n"))


def test_a_full_width_row_whose_quoted_part_swallowed_commas(tmp_path):
    # 4 columns, 4 fields: it loaded with the complaint 'I was charged, twice and, then more" stuff'.
    error = refused(tmp_path, 'id,complaint,persona,reply:current-bot\n'
                              't1,"I was charged, twice and, then "more" stuff,angry,Sorry\n')
    assert "column 36 followed by 'm'" in str(error)
    assert '(here "I was charged, twice and, then ""more"" stuff")' in str(error)


def test_after_rows_spanning_lines_the_line_and_column_are_the_quotes(tmp_path):
    text = (HEADER + 'a,"Hello,\r\nHe said ""no"".\nJane",r\n'
            'b,ok,"one\nmore ""line"""\n'
            'c,x,"Sorry "truly"",\n')
    error = refused(tmp_path, text)
    assert (error.line, error.field) == (7, "reply:current-bot")
    assert "opens at column 5 has a quote at column 12" in str(error)
    # In a row spanning lines, the stray quote's own line is named.
    error = refused(tmp_path, HEADER + 'a,"two\nlines","x "y" z"\n')
    assert (error.line, error.field) == (3, "reply:current-bot")
    assert "opens at column 8 has a quote at column 11" in str(error)


def test_in_the_header(tmp_path):
    error = refused(tmp_path, 'id,"complaint"x,reply:v1\nt1,a,b\n')
    assert error.line == 1 and "opens at column 4 has a quote at column 14 followed by 'x'" in str(error)


def test_what_still_loads(tmp_path):
    text = (HEADER + 't1,I was "charged" twice,Sorry\n'  # a quote inside an unquoted cell: text
            't2,"I was charged ""twice""",Sorry\n'  # written as CSV means it
            't3,"a, b",\n')
    rows = [list(row.values()) for _, row, _ in csv_rows(write_csv(tmp_path, text))]
    assert rows == [["t1", 'I was "charged" twice', "Sorry"], ["t2", 'I was charged "twice"', "Sorry"],
                    ["t3", "a, b", ""]]

"""json's messages as the loader words them: a line cut short read "starting at at column 57"."""

import pytest

from harness.datasets.loader import load_dataset
from harness.errors import DatasetError

GOOD = '{"id": "a", "turns": [{"role": "customer", "content": "hi"}]}\n'


@pytest.mark.parametrize("line, problem", [
    ('{"id": "b", "turns": [{"role": "customer", "content": "Oh great, the fi\n',
     "invalid JSON: Unterminated string starting at column 55 (the line ends inside it)"),
    ('{"id": "b" "turns": []}\n', "invalid JSON: Expecting ',' delimiter at column 12"),
])
def test_invalid_json_says_where_once(tmp_path, line, problem):
    path = tmp_path / "d.jsonl"
    path.write_text(GOOD + line)
    with pytest.raises(DatasetError) as info:
        load_dataset(path)
    assert str(info.value) == f"{path}:2: {problem}"
    assert "at at" not in str(info.value)

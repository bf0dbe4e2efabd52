"""load_yaml parses once, yet returns what ``yaml.compose`` + ``yaml.safe_load`` returned before."""

import pytest
import yaml

from harness.config.yamlfile import line_of, load_yaml
from harness.errors import ConfigError

DOCS = {
    "plain": "a: 1\nb: [x, {c: no}]\nversion: 2\n",
    "merge": "base: &b\n  model: x\n  n: 1\nitems:\n  - <<: *b\n    n: 2\n    modle: y\n",
    "merge_list": "a: &a {p: 1}\nb: &b {q: 2}\nc:\n  <<: [*a, *b]\n  r: 3\n",
    "value_key": "k:\n  =: 1\n  j: 2\n",
    "anchors": "x: &x [1, 2]\ny: *x\nz: {w: *x}\n",
    "recursive": "a: &a [1, *a]\n",
    "empty": "",
    "comment_only": "# nothing\n",
    "null_doc": "~\n",
    "scalar": "just text\n",
    "timestamp": "d: 2024-01-02\n",
}
BAD = {
    "two_docs": "a: 1\n---\nb: 2\n",
    "unclosed": "a: [1, 2\n",
    "tab": "a:\n\tb: 1\n",
    "bad_merge": "a:\n  <<: 3\n",
    "unknown_tag": "d: !!python/object:os.system x\n",
}


def old_load(text):
    return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)


def node_lines(node, seen=None):
    """Every node's tag, value shape and start line, in tree order (aliases visited once)."""
    seen = set() if seen is None else seen
    if node is None or id(node) in seen:
        return ["seen"] if node is not None else [None]
    seen.add(id(node))
    out = [(type(node).__name__, node.tag, node.start_mark.line)]
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out += node_lines(key, seen) + node_lines(value, seen)
    elif isinstance(node, yaml.SequenceNode):
        for value in node.value:
            out += node_lines(value, seen)
    else:
        out.append(node.value)
    return out


@pytest.mark.parametrize("name", list(DOCS))
def test_same_data_and_node_tree_as_two_parses(tmp_path, name):
    path = tmp_path / "f.yaml"
    path.write_text(DOCS[name])
    data, node = load_yaml(path, ConfigError)
    old_node, old_data = old_load(DOCS[name])
    assert repr(data) == repr(old_data)
    assert node_lines(node) == node_lines(old_node)


def test_a_merged_key_is_still_located_on_its_own_line(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text(DOCS["merge"])
    _, node = load_yaml(path, ConfigError)
    # 'model' comes from the merge: the old tree (never constructed) places it at the item, line 5
    assert line_of(node, ("items", 0, "model")) == 5
    assert line_of(node, ("items", 0, "modle")) == 7


@pytest.mark.parametrize("name", list(BAD))
def test_same_error_as_two_parses(tmp_path, name):
    path = tmp_path / "f.yaml"
    path.write_text(BAD[name])
    with pytest.raises(yaml.YAMLError) as old:
        old_load(BAD[name])
    mark = getattr(old.value, "problem_mark", None)
    problem = getattr(old.value, "problem", None) or str(old.value).splitlines()[0]
    with pytest.raises(ConfigError) as info:
        load_yaml(path, ConfigError)
    assert info.value.problem == f"invalid YAML: {problem}"
    assert info.value.line == (mark.line + 1 if mark is not None else None)


def laughs(levels: int, width: int = 10, merge: bool = False) -> str:
    """A "billion laughs" document: each level an anchored list of ``width`` aliases of the one before."""
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels + 1):
        if merge:  # the same through merge keys, which construction flattens
            lines.append(f"l{i}: &l{i}\n" + "".join(f"  k{j}: *l{i - 1}\n" for j in range(width)).rstrip("\n"))
        else:
            lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("text, line, alias", [
    (laughs(7), 5, "*l3"),  # ~10^7 values; *l3 (11,111 each) is the alias that crosses 100,000
    (laughs(3, width=400), 2, "*l0"),  # wide rather than deep: *l1 alone would stand for 160,401
    (laughs(6, merge=True), 43, "*l3"),
    ("a: &a [" + ", ".join(["x"] * 1000) + "]\n" + "".join(f"k{i}: *a\n" for i in range(200)), 100, "*a"),
])
def test_aliases_expanding_past_the_limit_are_refused_at_the_alias(tmp_path, text, line, alias):
    # Such a file used to load: the eval's manifest then wrote out every expanded value (37 MB for 10^6).
    path = tmp_path / "f.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_yaml(path, ConfigError)
    assert info.value.problem == (f"invalid YAML: alias {alias} takes the file past 100,000 values "
                                  "with its aliases expanded")
    assert info.value.line == line


def test_aliases_within_the_limit_and_recursive_ones_still_load(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text(laughs(3))  # 11,111 values
    data, _ = load_yaml(path, ConfigError)
    assert len(data["l3"]) == 10 and data["l3"][0][0][0] == data["l0"]
    path.write_text("a: &a [1, *a]\nb: [*a, *a]\n")
    data, _ = load_yaml(path, ConfigError)
    assert data["b"][0][1] is data["a"]


def test_a_file_of_over_100000_plain_values_is_refused_at_the_value_that_crosses(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("items:\n" + "".join(f"  - {i}\n" for i in range(100_001)))
    with pytest.raises(ConfigError) as info:
        load_yaml(path, ConfigError)
    assert info.value.problem.startswith("invalid YAML: this value takes the file past 100,000 values")

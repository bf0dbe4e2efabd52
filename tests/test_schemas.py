"""The shipped JSON Schemas match the pydantic models they are generated from."""

import json

import pytest

from harness.schemas import HERE, NAMES, generate


@pytest.mark.parametrize("name", NAMES)
def test_shipped_schema_is_up_to_date(name):
    shipped = json.loads((HERE / f"{name}.schema.json").read_text())
    assert shipped == json.loads(json.dumps(generate(name))), f"run `make schemas` to regenerate {name}"


def test_the_schema_command_offers_every_format():
    from harness.cli.main import _SCHEMA_NAMES
    assert set(_SCHEMA_NAMES) == set(NAMES)

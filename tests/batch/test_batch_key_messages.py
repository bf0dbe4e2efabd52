"""The batch path names an unset or empty key variable as the live paths do (one wording for both)."""

from __future__ import annotations

import pytest

from harness.batch.credentials import check_key
from harness.errors import MissingCredentialError
from harness.models.base import ModelSpec


def test_an_empty_key_variable_is_said_to_be_empty_not_unset(monkeypatch):
    monkeypatch.setenv("BATCH_TEST_KEY", "")
    with pytest.raises(MissingCredentialError, match=r"environment variable BATCH_TEST_KEY is empty \(batch\)"):
        check_key(ModelSpec(name="openai/gpt-4o-mini", api_key_env="BATCH_TEST_KEY"), "OPENAI_API_KEY")


def test_an_unset_key_variable_is_said_to_be_unset(monkeypatch):
    monkeypatch.delenv("BATCH_TEST_KEY", raising=False)
    with pytest.raises(MissingCredentialError, match=r"environment variable BATCH_TEST_KEY is not set \(batch\)"):
        check_key(ModelSpec(name="openai/gpt-4o-mini", api_key_env="BATCH_TEST_KEY"), "OPENAI_API_KEY")

"""The embedded provider asks OpenMP for sleeping idle threads, unless the user chose a policy."""

from harness.models.embedded import OPENMP_WAIT_ENV, prefer_sleeping_openmp_threads


def test_passive_waiting_is_the_default(monkeypatch):
    monkeypatch.delenv(OPENMP_WAIT_ENV, raising=False)
    prefer_sleeping_openmp_threads()
    import os

    assert os.environ[OPENMP_WAIT_ENV] == "PASSIVE"


def test_a_users_own_policy_wins(monkeypatch):
    monkeypatch.setenv(OPENMP_WAIT_ENV, "ACTIVE")
    prefer_sleeping_openmp_threads()
    import os

    assert os.environ[OPENMP_WAIT_ENV] == "ACTIVE"

"""The pure-Python normal and t quantiles against scipy, including the edges the scorecard reaches."""

from __future__ import annotations

import pytest
from scipy import stats as sp

from harness.scoring.distributions import normal_ppf, regularized_beta, t_ppf, t_sf


@pytest.mark.parametrize("q", [0.6, 0.9, 0.95, 0.975, 0.995, 0.9995])
@pytest.mark.parametrize("df", [1, 2, 3, 4.5, 9, 10, 29, 30, 99, 1000, 20000])
def test_t_ppf_matches_scipy(q: float, df: float) -> None:
    assert t_ppf(q, df) == pytest.approx(sp.t.ppf(q, df), rel=1e-10)
    assert t_ppf(1 - q, df) == pytest.approx(sp.t.ppf(1 - q, df), rel=1e-9)


@pytest.mark.parametrize("t", [0.0, 1e-6, 0.3, 1.0, 2.5, 40.0])
@pytest.mark.parametrize("df", [1, 3, 30, 5000])
def test_t_sf_matches_scipy(t: float, df: int) -> None:
    assert t_sf(t, df) == pytest.approx(sp.t.sf(t, df), rel=1e-10, abs=1e-300)


@pytest.mark.parametrize("a,b,x", [(0.5, 0.5, 0.3), (2, 3, 0.9), (10, 0.5, 0.99), (0.5, 50, 0.01)])
def test_regularized_beta_matches_scipy(a: float, b: float, x: float) -> None:
    from scipy.special import betainc

    assert regularized_beta(a, b, x) == pytest.approx(betainc(a, b, x), rel=1e-11)
    assert (regularized_beta(a, b, 0.0), regularized_beta(a, b, 1.0)) == (0.0, 1.0)


@pytest.mark.parametrize("q", [0.5, 0.8, 0.975, 0.9999])
def test_normal_ppf_matches_scipy(q: float) -> None:
    assert normal_ppf(q) == pytest.approx(sp.norm.ppf(q), abs=1e-12)


def test_t_ppf_edges() -> None:
    assert t_ppf(0.5, 7) == 0.0
    with pytest.raises(ValueError):
        t_ppf(1.0, 3)
    with pytest.raises(ValueError):
        t_ppf(0.9, 0)


def test_scoring_does_not_import_scipy() -> None:
    import subprocess
    import sys

    code = "import sys, harness.scoring; print('scipy' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]

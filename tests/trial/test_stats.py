"""Cohort statistics against published and hand-derived values."""

from __future__ import annotations

import math

import pytest

from endolab.trial.stats import binary_summary, clopper_pearson_1934, continuous_summary


def test_12_of_12() -> None:
    # All successes: lower = (α/2)^(1/N) = 0.025^(1/12) = exp(ln 0.025 / 12) = exp(−0.307410)
    # = 0.735351; upper = 1. Published: the zimislecel primary endpoint 12/12, 95 % CI 73.5–100 %.
    lo, hi = clopper_pearson_1934(12, 12)
    assert lo == pytest.approx(0.025 ** (1 / 12), abs=1e-9)
    assert round(lo, 4) == 0.7354
    assert hi == 1.0


def test_10_of_12() -> None:
    # Exact binomial CI for 10/12 (NEJM abstract: insulin independence 10/12, 83 %, 95 % CI 52–98);
    # standard Clopper–Pearson tables give [0.5159, 0.9791].
    lo, hi = clopper_pearson_1934(10, 12)
    assert (round(lo, 4), round(hi, 4)) == (0.5159, 0.9791)


def test_0_of_12_mirrors_12_of_12() -> None:
    lo, hi = clopper_pearson_1934(0, 12)
    assert lo == 0.0
    assert hi == pytest.approx(1 - 0.025 ** (1 / 12), abs=1e-9)  # 0.2646


def test_1_of_2_hand_derivation() -> None:
    # Lower bound p solves P(X ≥ 1 | N=2, p) = 1 − (1 − p)² = 0.025 → p = 1 − sqrt(0.975).
    # Upper bound solves P(X ≤ 1 | p) = 1 − p² = 0.025 → p = sqrt(0.975).
    lo, hi = clopper_pearson_1934(1, 2)
    assert lo == pytest.approx(1 - math.sqrt(0.975), abs=1e-9)  # 0.012579
    assert hi == pytest.approx(math.sqrt(0.975), abs=1e-9)  # 0.987421


@pytest.mark.parametrize("N", [1, 2, 3, 7, 12, 14, 40, 150, 1000])
def test_equals_scipy_exact_interval(N: int) -> None:
    # another implementation: SciPy's exact (Clopper–Pearson) interval, where SciPy is installed
    stats = pytest.importorskip("scipy.stats", reason="SciPy is in the optional extra [sim]")
    for n in sorted({0, 1, N // 3, N // 2, N - 1, N}):
        ref = stats.binomtest(n, N).proportion_ci(confidence_level=0.95, method="exact")
        lo, hi = clopper_pearson_1934(n, N)
        assert lo == pytest.approx(ref.low, rel=1e-9, abs=1e-12), (n, N)
        assert hi == pytest.approx(ref.high, rel=1e-9, abs=1e-12), (n, N)


def test_90_percent_interval_of_1_of_2() -> None:
    # 1 − (1 − p)² = 0.05 and 1 − p² = 0.05 (hand derivation as above, α = 0.10)
    lo, hi = clopper_pearson_1934(1, 2, confidence=0.90)
    assert (lo, hi) == pytest.approx((1 - math.sqrt(0.95), math.sqrt(0.95)), abs=1e-12)


def test_empty_denominator() -> None:
    assert clopper_pearson_1934(0, 0) is None
    s = binary_summary([])
    assert (s["n"], s["N"], s["percent"], s["ci95"], s["missing"]) == (0, 0, None, None, 0)


def test_bad_counts() -> None:
    with pytest.raises(ValueError):
        clopper_pearson_1934(3, 2)


def test_null_counts_in_N_not_n() -> None:
    s = binary_summary([True, True, False, None, None])
    assert (s["n"], s["N"], s["missing"]) == (2, 5, 2)
    assert s["percent"] == pytest.approx(40.0)


def test_continuous_hand_values() -> None:
    # values 2, 4, 4, 4, 5, 5, 7, 9: mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
    # SD (ddof=1) = sqrt(32/7) = 2.13809; median (4+5)/2 = 4.5; type-7 quartiles:
    # Q1 at position 0.25·7 = 1.75 → 4 + 0.75·(4−4) = 4; Q3 at 5.25 → 5 + 0.25·(7−5) = 5.5.
    s = continuous_summary([2, 4, 4, 4, 5, 5, 7, 9, None])
    assert s["n"] == 8 and s["missing"] == 1
    assert s["mean"] == pytest.approx(5.0)
    assert s["sd"] == pytest.approx(math.sqrt(32 / 7))
    assert (s["median"], s["q1"], s["q3"]) == (4.5, 4.0, 5.5)
    assert (s["min"], s["max"]) == (2.0, 9.0)


def test_continuous_single_and_empty() -> None:
    one = continuous_summary([3.0])
    assert one["sd"] is None and one["mean"] == 3.0
    none = continuous_summary([None, None])
    assert none["n"] == 0 and none["mean"] is None and none["missing"] == 2

"""The Beta posterior: incomplete beta by continued fraction, quantile by bisection."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill_registry.stats import beta_quantile, betainc, reliability


def exact_betainc(a: int, b: int, x: Fraction) -> Fraction:
    """I_x(a, b) for integer a, b: the binomial tail P(Binomial(a + b - 1, x) >= a)."""
    n = a + b - 1
    return sum(
        (Fraction(math.comb(n, j)) * x**j * (1 - x) ** (n - j) for j in range(a, n + 1)),
        Fraction(0),
    )


@given(
    a=st.integers(min_value=1, max_value=40),
    b=st.integers(min_value=1, max_value=40),
    x=st.fractions(min_value=0, max_value=1, max_denominator=1000),
)
def test_betainc_matches_the_exact_binomial_tail_for_integer_parameters(
    a: int, b: int, x: Fraction
) -> None:
    assert betainc(a, b, float(x)) == pytest.approx(float(exact_betainc(a, b, x)), abs=1e-12)


@given(
    a=st.floats(min_value=0.1, max_value=500),
    b=st.floats(min_value=0.1, max_value=500),
    # Away from 0 and 1: there ``1 - x`` rounds, and the reflected value is what is wrong.
    x=st.floats(min_value=1e-6, max_value=1 - 1e-6),
)
def test_betainc_satisfies_its_reflection_symmetry(a: float, b: float, x: float) -> None:
    assert betainc(a, b, x) == pytest.approx(1 - betainc(b, a, 1 - x), abs=1e-10)


@given(
    p=st.floats(min_value=0.001, max_value=0.999),
    a=st.integers(min_value=1, max_value=2000),
    b=st.integers(min_value=1, max_value=2000),
)
def test_beta_quantile_inverts_betainc(p: float, a: int, b: int) -> None:
    assert betainc(a, b, beta_quantile(p, a, b)) == pytest.approx(p, abs=1e-9)


@pytest.mark.parametrize(
    ("p", "a", "b", "expected"),
    [
        # Closed forms: I_x(a, 1) = x**a and I_x(1, b) = 1 - (1 - x)**b.
        (0.05, 1, 1, 0.05),
        (0.05, 11, 1, 0.05 ** (1 / 11)),
        (0.05, 1, 11, 1 - 0.95 ** (1 / 11)),
        (0.5, 2, 2, 0.5),
        # The median of Beta(2, 3) solves 1 - (1 - x)^4 - 4x(1 - x)^3 = 1/2.
        (0.5, 2, 3, 0.38572756813238956),
        # The 5% quantile of Beta(10, 2): x^10 (11 - 10x) = 0.05.
        (0.05, 10, 2, 0.6356405107527575),
    ],
)
def test_beta_quantile_matches_known_values(p: float, a: int, b: int, expected: float) -> None:
    assert beta_quantile(p, a, b) == pytest.approx(expected, abs=1e-10)


def test_reliability_is_the_beta_posterior_with_a_uniform_prior() -> None:
    result = reliability(9, 1)
    assert result.mean == pytest.approx(10 / 12)
    assert result.lower_bound == pytest.approx(beta_quantile(0.05, 10, 2))
    assert result.uses == 10


def test_reliability_of_a_large_record_is_tight_around_its_rate() -> None:
    result = reliability(100_000, 1_000)
    assert result.mean - 0.002 < result.lower_bound < result.mean


def test_betainc_refuses_parameters_outside_its_domain() -> None:
    with pytest.raises(ValueError, match="a > 0"):
        betainc(0, 1, 0.5)
    with pytest.raises(ValueError, match="0 <= x <= 1"):
        betainc(1, 1, 1.5)

"""The Beta posterior: incomplete beta by continued fraction, quantile by bisection."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from skill_registry import Policy, State
from skill_registry.stats import beta_quantile, betainc, lower_bound_below, reliability


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


@given(
    successes=st.integers(min_value=0, max_value=5000),
    failures=st.integers(min_value=0, max_value=5000),
    threshold=st.floats(min_value=-0.5, max_value=1.5),
    quantile=st.sampled_from([0.01, 0.05, 0.1, 0.5]),
)
def test_the_lower_bound_is_below_a_threshold_exactly_when_its_quantile_is(
    successes: int, failures: int, threshold: float, quantile: float
) -> None:
    bound = reliability(successes, failures, quantile=quantile).lower_bound
    assume(abs(bound - threshold) > 1e-9)  # the bound itself is found to 1e-12

    assert lower_bound_below(successes, failures, threshold, quantile=quantile) == (
        bound < threshold
    )


@given(
    state=st.sampled_from(list(State)),
    successes=st.integers(min_value=0, max_value=200),
    failures=st.integers(min_value=0, max_value=200),
    promote_after=st.integers(min_value=0, max_value=50),
    demote_after=st.integers(min_value=0, max_value=50),
    promote_bound=st.floats(min_value=0.0, max_value=1.0),
    demote_bound=st.floats(min_value=0.0, max_value=1.0),
)
def test_the_policys_decision_from_counts_is_what_its_rules_on_the_posterior_decide(
    state: State,
    successes: int,
    failures: int,
    promote_after: int,
    demote_after: int,
    promote_bound: float,
    demote_bound: float,
) -> None:
    policy = Policy(
        promote_after_successes=promote_after,
        promote_min_lower_bound=promote_bound,
        demote_after_uses=demote_after,
        demote_below_lower_bound=demote_bound,
    )
    stats = reliability(successes, failures, quantile=policy.credible_quantile)
    assume(
        min(abs(stats.lower_bound - promote_bound), abs(stats.lower_bound - demote_bound)) > 1e-9
    )

    expected = (
        State.CANDIDATE
        if policy.demotion_due(state, stats)
        else State.PROMOTED
        if policy.promotion_due(state, stats)
        else None
    )
    assert policy.decision(state, successes, failures) is expected

"""Reliability statistics: the Beta posterior of a skill's success rate, in pure Python.

The regularized incomplete beta function is evaluated with the continued fraction of Numerical
Recipes (modified Lentz), and its inverse (the Beta quantile) by Newton's method safeguarded by
bisection, which cannot diverge. Results are cached: the arguments are small integers that
repeat a lot.
"""

from __future__ import annotations

import math
from functools import lru_cache

from .model import Reliability

__all__ = ["beta_quantile", "betainc", "lower_bound_below", "reliability"]

_EPS = 1e-15
_TINY = 1e-300
_MAX_ITERATIONS = 100_000


def _continued_fraction(a: float, b: float, x: float) -> float:
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, _MAX_ITERATIONS + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            return h
    raise ArithmeticError(f"incomplete beta continued fraction did not converge for a={a}, b={b}")


def betainc(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1.

    Raises:
        ValueError: when a or b is not positive or x is outside [0, 1].
    """
    if a <= 0 or b <= 0:
        raise ValueError(f"betainc needs a > 0 and b > 0, got a={a}, b={b}")
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"betainc needs 0 <= x <= 1, got x={x}")
    if x == 0.0 or x == 1.0:
        return x
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    # The continued fraction converges fast only on this side of the mean; use the symmetry
    # I_x(a, b) = 1 - I_{1-x}(b, a) on the other.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _continued_fraction(a, b, x) / a
    return 1.0 - front * _continued_fraction(b, a, 1.0 - x) / b


def beta_quantile(p: float, a: float, b: float, *, tolerance: float = 1e-12) -> float:
    """The x with I_x(a, b) = p: Newton's method on a bracket that bisection keeps.

    Each step takes Newton's step (the Beta density is the derivative of ``I_x``) when it lands
    inside the bracket known to hold the answer, and halves the bracket otherwise, so it cannot
    diverge; near the answer it converges quadratically. A skill's recorded uses move its
    counts on every call, and this runs for each of them: a handful of evaluations of ``I_x``
    instead of the forty of bisection alone.

    Raises:
        ValueError: when p is outside [0, 1] or a, b are not positive.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"beta_quantile needs 0 <= p <= 1, got p={p}")
    if a <= 0 or b <= 0:
        raise ValueError(f"beta_quantile needs a > 0 and b > 0, got a={a}, b={b}")
    if p in (0.0, 1.0):
        return p
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    low, high = 0.0, 1.0
    x = a / (a + b)
    while high - low > tolerance:
        value = betainc(a, b, x)
        if value < p:
            low = x
        else:
            high = x
        log_density = log_norm + (a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x)
        density = math.exp(log_density) if log_density < 700 else math.inf
        following = x - (value - p) / density if density > 0.0 else math.nan
        if not low < following < high:  # also NaN: outside the bracket, bisect instead
            following = (low + high) / 2.0
        elif abs(following - x) <= tolerance / 4:
            return following
        x = following
    return (low + high) / 2.0


@lru_cache(maxsize=8192)
def reliability(successes: int, failures: int, *, quantile: float = 0.05) -> Reliability:
    """The Beta(successes + 1, failures + 1) posterior summarised as mean and lower bound.

    Args:
        successes: Successful uses recorded.
        failures: Failed uses recorded.
        quantile: Posterior quantile reported as ``lower_bound``.
    """
    if successes < 0 or failures < 0:
        raise ValueError(f"counts must be >= 0, got {successes} successes, {failures} failures")
    a, b = successes + 1.0, failures + 1.0
    return Reliability(
        successes=successes,
        failures=failures,
        mean=a / (a + b),
        lower_bound=beta_quantile(quantile, a, b),
    )


def lower_bound_below(
    successes: int, failures: int, threshold: float, *, quantile: float = 0.05
) -> bool:
    """Whether ``reliability(successes, failures, quantile=quantile).lower_bound < threshold``.

    The posterior's distribution function is increasing, so its ``quantile`` lies below
    ``threshold`` exactly when the probability below ``threshold`` exceeds ``quantile``: one
    evaluation of ``I_x`` instead of the several that solving for the bound takes. The registry
    asks this on every recorded use.
    """
    if successes < 0 or failures < 0:
        raise ValueError(f"counts must be >= 0, got {successes} successes, {failures} failures")
    x = min(max(threshold, 0.0), 1.0)
    return betainc(successes + 1.0, failures + 1.0, x) > quantile

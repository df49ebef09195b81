"""When the registry moves versions on its own: automatic promotion and demotion (pure).

A ``Policy`` only decides; the registry applies its decisions inside the same transaction as the
outcome that triggered them and writes them to the audit log with the actor ``"policy"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Reliability, State
from .stats import lower_bound_below

__all__ = ["Policy"]


@dataclass(frozen=True)
class Policy:
    """Rules for automatic promotion and demotion.

    Attributes:
        auto_promote: Promote a ``verified`` version once it has earned it (the promotion gate
            still applies: without passed reports nothing happens).
        promote_after_successes: Successful uses a verified version needs before promotion.
        promote_min_lower_bound: Lowest reliability lower bound accepted for promotion.
        auto_demote: Send an unreliable ``promoted``/``verified`` version back to ``candidate``.
        demote_after_uses: Uses needed before reliability can demote a version (avoids judging
            on a handful of calls).
        demote_below_lower_bound: Demote when the reliability lower bound falls below this.
        demote_on_tool_schema_change: Send versions back to ``candidate`` when a tool they call
            changes its schema (see ``Registry.tool_schema_changed``).
        credible_quantile: The posterior quantile reported as the reliability lower bound.
    """

    auto_promote: bool = True
    promote_after_successes: int = 20
    promote_min_lower_bound: float = 0.8
    auto_demote: bool = True
    demote_after_uses: int = 20
    demote_below_lower_bound: float = 0.5
    demote_on_tool_schema_change: bool = True
    credible_quantile: float = 0.05

    def __post_init__(self) -> None:
        if not 0.0 < self.credible_quantile < 1.0:
            raise ValueError(f"credible_quantile must be in (0, 1), got {self.credible_quantile}")
        if self.promote_after_successes < 0 or self.demote_after_uses < 0:
            raise ValueError("promote_after_successes and demote_after_uses must be >= 0")

    def promotion_due(self, state: State, reliability: Reliability) -> bool:
        """Whether a version in ``state`` with this record should be promoted now."""
        return (
            self._may_promote(state, reliability.successes)
            and reliability.lower_bound >= self.promote_min_lower_bound
        )

    def demotion_due(self, state: State, reliability: Reliability) -> bool:
        """Whether a version in ``state`` with this record should go back to ``candidate``."""
        return (
            self._may_demote(state, reliability.uses)
            and reliability.lower_bound < self.demote_below_lower_bound
        )

    def decision(self, state: State, successes: int, failures: int) -> State | None:
        """What :meth:`demotion_due` and :meth:`promotion_due` decide for a version with these
        counts: ``candidate`` (demote), ``promoted``, or None.

        The counts' cheap conditions come first, and the lower bound is compared with its
        threshold through :func:`~skill_registry.stats.lower_bound_below`, without solving for
        it: this runs for every recorded use.
        """
        quantile = self.credible_quantile
        if self._may_demote(state, successes + failures) and lower_bound_below(
            successes, failures, self.demote_below_lower_bound, quantile=quantile
        ):
            return State.CANDIDATE
        if self._may_promote(state, successes) and not lower_bound_below(
            successes, failures, self.promote_min_lower_bound, quantile=quantile
        ):
            return State.PROMOTED
        return None

    def _may_promote(self, state: State, successes: int) -> bool:
        return (
            self.auto_promote
            and state is State.VERIFIED
            and successes >= self.promote_after_successes
        )

    def _may_demote(self, state: State, uses: int) -> bool:
        return (
            self.auto_demote
            and state in (State.PROMOTED, State.VERIFIED)
            and uses >= self.demote_after_uses
        )

"""Outcomes: which runs to learn from, and what is known of how each one ended.

A recording may say how its run ended (``outcome``, ``success``, a ``reward`` of 1 or 0). A run
recorded as failed is not learned from at all: even its successful calls may be the wrong ones.
Where the recording says nothing, the run's own end speaks when it can: a request whose last call
failed ended in an error. Its completed procedures are still procedures (the failed call itself
is dropped), but like every run of unknown outcome they are learned from only where they agree
with the runs known to have succeeded (see ``engine``), and the report counts them.
"""

from __future__ import annotations

from dataclasses import dataclass

from skills_runtime.trajectory.failures import failure_of
from skills_runtime.trajectory.model import Outcome, Trajectory

__all__ = ["Verdict", "judge_request"]


@dataclass(frozen=True)
class Verdict:
    """How a request ended, and on what evidence (``recorded``, ``its last call failed``...)."""

    outcome: Outcome
    because: str
    recorded: bool = False
    """Whether the recording itself says so (else it was judged from the run)."""

    @property
    def learnable(self) -> bool:
        """Whether its procedures may be learned from (not a run recorded as failed)."""
        return not (self.recorded and self.outcome is Outcome.FAILURE)

    @property
    def trusted(self) -> bool:
        """Whether the run is known to have succeeded."""
        return self.recorded and self.outcome is Outcome.SUCCESS


def judge_request(trajectory: Trajectory, turn: int) -> Verdict:
    """The outcome of one request of a trajectory (the recorded one applies to all of them)."""
    if trajectory.outcome is not Outcome.UNKNOWN:
        return Verdict(
            trajectory.outcome, f"the recording says {trajectory.outcome.value}", recorded=True
        )
    calls = [call for call in trajectory.calls if call.turn == turn and call.paired]
    if calls:
        failure = failure_of(calls[-1])
        if failure is not None:
            return Verdict(
                Outcome.FAILURE,
                f"its last call, {calls[-1].name}, failed ({failure})",
            )
    return Verdict(Outcome.UNKNOWN, "the recording does not say how it ended")

"""Synthesis: deterministic, model-free induction of typed skills from trajectories.

``synthesize`` lifts trajectories into calls with explained arguments, cuts them into units (a
write and the reads it needs), groups units into families, anti-unifies each family into a plan
with typed parameters, data flow and guards, and renders it as Python with libcst. ``bind``
recovers the arguments a skill needs to reproduce a trajectory.
"""

from skills_runtime.synthesis.bind import bind, call_sites, explain_bind
from skills_runtime.synthesis.engine import synthesize
from skills_runtime.synthesis.model import (
    BindFailure,
    Binding,
    SynthesisOptions,
    SynthesisResult,
    SynthesizedSkill,
    Unexplained,
)

__all__ = [
    "BindFailure",
    "Binding",
    "SynthesisOptions",
    "SynthesisResult",
    "SynthesizedSkill",
    "Unexplained",
    "bind",
    "call_sites",
    "explain_bind",
    "synthesize",
]

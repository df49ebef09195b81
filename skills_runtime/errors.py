"""Errors raised by ``skills_runtime`` for misuse of its API and for bad input.

Bad generated code is data (a report), not an exception. Exceptions are for a caller's mistakes and
for infrastructure failures::

    SkillbankError
    ├── InvalidInput(SkillbankError, ValueError)      bad trajectories, arguments, files
    │   └── InvalidArgument                           a skill or tool called with wrong arguments
    ├── UnknownSkill(SkillbankError, LookupError)     no skill of that name / version
    └── ConfigurationError(SkillbankError, RuntimeError)  a missing extra, an unimportable toolset
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "InvalidArgument",
    "InvalidInput",
    "SkillbankError",
    "UnknownSkill",
]


class SkillbankError(Exception):
    """Base of every error ``skills_runtime`` raises on purpose."""


class InvalidInput(SkillbankError, ValueError):
    """Input that cannot be used: the message names what, where, and what to do."""


class InvalidArgument(InvalidInput):
    """A skill or tool was called with arguments that do not fit its schema."""


class UnknownSkill(SkillbankError, LookupError):
    """No skill (or version) of that name exists in the registry."""


class ConfigurationError(SkillbankError, RuntimeError):
    """The environment cannot do what was asked: a missing extra, an unimportable toolset."""

"""Static checking of skill sources and their signatures, read from the libcst tree.

``check`` runs every rule (one per module in ``rules/``, each with a stable ``SKnnn`` code) and
returns a report; it never raises for anything in the source. ``signature_of`` derives the JSON
Schemas of a skill's parameters from its annotations through an allow-list, never by evaluating
them; ``validate_arguments`` checks call arguments against that schema.
"""

from __future__ import annotations

from skills_runtime.checking.checker import PRE_PARSE_CODES, check
from skills_runtime.checking.policy import DEFAULT_ALLOWED_IMPORTS, CheckPolicy
from skills_runtime.checking.report import CheckReport, Finding, Severity
from skills_runtime.checking.rule import Rule
from skills_runtime.checking.rules import RULES
from skills_runtime.checking.signature import Parameter, SkillSignature, signature_of
from skills_runtime.checking.validation import validate_arguments

__all__ = [
    "DEFAULT_ALLOWED_IMPORTS",
    "PRE_PARSE_CODES",
    "RULES",
    "CheckPolicy",
    "CheckReport",
    "Finding",
    "Parameter",
    "Rule",
    "Severity",
    "SkillSignature",
    "check",
    "signature_of",
    "validate_arguments",
]

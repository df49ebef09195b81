"""``check``: the static checker's entry point. Bad source is a report, never an exception.

The checker runs in the host on untrusted text, so it is bounded twice: the pre-parse caps
(``prescan``) keep every step linear in a small input, and a budget of CPU time
(``CheckPolicy.max_seconds``) is looked at between the parse, the metadata passes and each
rule; past it the report fails with SK006 instead of the host waiting on.
"""

from __future__ import annotations

import time

import libcst as cst

from skills_runtime.checking.context import RuleContext, build_context
from skills_runtime.checking.policy import CheckPolicy
from skills_runtime.checking.prescan import prescan
from skills_runtime.checking.report import CheckReport, Finding
from skills_runtime.checking.rules import RULES
from skills_runtime.checking.tools_use import tool_use

__all__ = ["PRE_PARSE_CODES", "check", "parse_for_check"]

#: Codes reported before or while parsing, when no rule can run.
PRE_PARSE_CODES: dict[str, str] = {
    "SK000": "internal error in a rule (fails closed; please report it)",
    "SK001": "the source does not parse",
    "SK002": "the source is larger than max_source_bytes",
    "SK003": "the source nests too deeply or has too long a line to parse safely",
    "SK004": "the source is not clean text (control characters, undecodable bytes)",
    "SK005": "the source holds a bidirectional control or an invisible character (Trojan Source)",
    "SK006": "the check used more CPU time than its budget (max_seconds)",
}

_DEFAULT_POLICY = CheckPolicy()


def parse_for_check(source: str, *, policy: CheckPolicy) -> RuleContext | Finding:
    """Prescan, parse and resolve metadata; a finding instead when that is unsafe or fails."""
    deadline = time.thread_time() + policy.max_seconds
    early = prescan(source, policy=policy)
    if early is not None:
        return early
    try:
        context = build_context(source, policy=policy)
        return _over_budget(policy, "parsing") if time.thread_time() > deadline else context
    except cst.ParserSyntaxError as error:
        return Finding(
            "SK001",
            f"syntax error: {error.message}",
            max(error.raw_line, 1),
            error.raw_column + 1,
            hint="fix the syntax; the source must be valid Python",
        )
    except RecursionError:
        return _too_deep()
    except Exception as error:
        # libcst turns a RecursionError inside its position pass into chained KeyErrors whose
        # text renders the whole tree; report only the type, never ``str(error)``.
        if isinstance(error.__context__, RecursionError) or isinstance(error, KeyError):
            return _too_deep()
        return Finding(
            "SK001",
            f"the source could not be parsed ({type(error).__name__})",
            1,
            1,
            hint="fix the syntax; the source must be valid Python",
        )


def check(source: str, *, policy: CheckPolicy = _DEFAULT_POLICY) -> CheckReport:
    """Check a skill source against every rule.

    Args:
        source: The skill module's text.
        policy: What is allowed; the default is the strict skill contract.

    Returns:
        The report: ``ok`` when no finding is an error. Never raises for anything in ``source``.

    Raises:
        TypeError: ``source`` is not a ``str``.
    """
    if not isinstance(source, str):
        raise TypeError(f"check() takes the source as str, got {type(source).__name__}")
    deadline = time.thread_time() + policy.max_seconds
    parsed = parse_for_check(source, policy=policy)
    if isinstance(parsed, Finding):
        return CheckReport.from_findings([parsed])
    findings: list[Finding] = []
    for rule in RULES:
        if time.thread_time() > deadline:
            findings.append(_over_budget(policy, f"rule {rule.code}"))
            break
        try:
            findings.extend(rule.check(parsed))
        except RecursionError:
            findings.append(_too_deep())
        except Exception as error:  # a rule bug must fail closed, not crash the caller
            findings.append(
                Finding(
                    "SK000",
                    f"internal error in rule {rule.code}: {type(error).__name__}",
                    1,
                    1,
                    hint="this is a checker bug; please report it with the source",
                )
            )
    try:
        tools_called = tool_use(parsed).names
    except RecursionError:
        tools_called = ()
    return CheckReport.from_findings(findings, tools_called=tools_called)


def _over_budget(policy: CheckPolicy, where: str) -> Finding:
    return Finding(
        "SK006",
        f"the check used more than its budget of {policy.max_seconds:g} s of CPU (at {where})",
        1,
        1,
        hint="a skill is one small function: make the source smaller, or raise "
        "CheckPolicy.max_seconds for a slow machine",
    )


def _too_deep() -> Finding:
    return Finding(
        "SK003",
        "the source nests too deeply to analyse",
        1,
        1,
        hint="flatten long expression chains and deeply nested blocks",
    )

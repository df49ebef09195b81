"""Findings and reports: what ``check`` returns (data, never an exception)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["CheckReport", "Finding", "Severity"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem in a skill source.

    Attributes:
        code: Stable code (``SK101``) that people and agents can act on; see docs/checks.md.
        message: What is wrong, naming the offending name or value.
        line: 1-based line of the offending node.
        column: 1-based column of the offending node.
        hint: How to fix it, when there is a known fix.
        severity: ``"error"`` makes the report fail; ``"warning"`` does not.
    """

    code: str
    message: str
    line: int
    column: int
    hint: str | None = None
    severity: Severity = "error"

    def to_json(self) -> dict[str, Any]:
        """The finding as a JSON object."""
        return {
            "code": self.code,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "hint": self.hint,
            "severity": self.severity,
        }


@dataclass(frozen=True)
class CheckReport:
    """The result of checking one source.

    Attributes:
        ok: True when no finding is an error.
        findings: Every finding, ordered by position then code.
        tools_called: Names called as ``tools.NAME(...)``, in order of first appearance.
    """

    ok: bool
    findings: tuple[Finding, ...]
    tools_called: tuple[str, ...] = ()

    @classmethod
    def from_findings(
        cls, findings: list[Finding] | tuple[Finding, ...], *, tools_called: tuple[str, ...] = ()
    ) -> CheckReport:
        """Build a report, sorting findings and deriving ``ok`` from their severities."""
        unique = sorted(set(findings), key=lambda f: (f.line, f.column, f.code, f.message))
        ok = not any(finding.severity == "error" for finding in unique)
        return cls(ok=ok, findings=tuple(unique), tools_called=tools_called)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings that make the report fail."""
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def codes(self) -> tuple[str, ...]:
        """The distinct codes found, sorted (handy in tests and summaries)."""
        return tuple(sorted({f.code for f in self.findings}))

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON object: ``{"ok", "findings", "tools_called"}``."""
        return {
            "ok": self.ok,
            "findings": [finding.to_json() for finding in self.findings],
            "tools_called": list(self.tools_called),
        }

"""What an exported Agent Skills folder's ``scripts/run.py`` runs: one skill, in the sandbox.

The folder's source is read, checked again (it may have been edited since it was exported) and
run only through the sandbox with the host tools named by ``--tools``; its arguments are
validated against the schema its signature yields. The result is the same JSON document
``skillbank call --json`` prints.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sandbox import inert_text
from skills_runtime.errors import ConfigurationError, InvalidInput
from skills_runtime.export.outcome import ToolOutcome
from skills_runtime.tools import Toolset, load_toolset

__all__ = ["main", "run_source"]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2
_BAD_INPUT = ("invalid_arguments", "unavailable", "unknown_skill")
_VERSION = re.compile(r'^  skillbank-version: "(\d+)"$', re.MULTILINE)


def run_source(
    source: str,
    toolset: Toolset,
    arguments: dict[str, Any],
    *,
    version: int = 0,
    executor: Any = None,
) -> ToolOutcome:
    """Check ``source``, then run its skill in the sandbox with ``toolset``'s tools it calls.

    Never raises for anything in the source, the arguments or the skill's behaviour.
    """
    from skills_runtime.checking import check, signature_of
    from skills_runtime.toolkit import SkillEntry, run_entry

    report = check(source)
    try:
        signature = signature_of(source)
    except InvalidInput as error:
        return ToolOutcome.failure("skill", "rejected", "InvalidInput", str(error))
    if not report.ok:
        findings = "; ".join(
            f"{finding.code} line {finding.line}: {finding.message}" for finding in report.findings
        )
        return ToolOutcome.failure(
            signature.name,
            "rejected",
            "CheckFailed",
            f"the source does not pass the check: {findings}",
        )
    entry = SkillEntry(
        name=signature.name,
        version=version,
        state="exported",
        source=source,
        signature=signature,
        tools=tuple(signature.tools_called),
        read_only=None,
    )
    outcome, _ = run_entry(entry, arguments, toolset=toolset, executor=executor)
    return outcome


def main(source_path: Path, argv: Sequence[str]) -> int:
    """The runner's command line: ``--tools MODULE:ATTR --args JSON``; prints one JSON document."""
    parser = argparse.ArgumentParser(
        prog=f"{source_path.parent.name}/run.py",
        description=f"Run the skill in {source_path.name} in skillbank's sandbox.",
    )
    parser.add_argument("--tools", required=True, help="Host tools as MODULE:ATTR.")
    parser.add_argument("--args", default="{}", help="The arguments as a JSON object.")
    options = parser.parse_args(list(argv))
    try:
        arguments = json.loads(options.args)
    except json.JSONDecodeError as error:
        return _bad(f"--args is not valid JSON ({error.msg} at position {error.pos})")
    if not isinstance(arguments, dict):
        return _bad(f"--args must be a JSON object, got {type(arguments).__name__}")
    # Host modules are named as `python -m` would find them: from the current directory too.
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        toolset = load_toolset(options.tools)
    except ConfigurationError as error:
        return _bad(str(error))
    try:
        source = source_path.read_text(encoding="utf-8")
        skill_md = source_path.parent.parent / "SKILL.md"
        found = (
            _VERSION.search(skill_md.read_text(encoding="utf-8")) if skill_md.is_file() else None
        )
    except (OSError, UnicodeDecodeError) as error:
        return _bad(f"cannot read the skill's source {str(source_path)!r}: {error}")
    outcome = run_source(source, toolset, arguments, version=int(found[1]) if found else 0)
    # ASCII JSON and inert text: what the skill wrote never acts on the terminal.
    sys.stdout.write(json.dumps(outcome.to_json(), ensure_ascii=True, default=str) + "\n")
    if outcome.ok:
        return EXIT_OK
    # The skill's own words on a terminal: inert, so they cannot move the cursor or hide text.
    print(inert_text(outcome.content(), newlines=False), file=sys.stderr)
    return EXIT_BAD_INPUT if outcome.status in _BAD_INPUT else EXIT_FAILED


def _bad(message: str) -> int:
    sys.stdout.write(json.dumps({"error": message}, ensure_ascii=True) + "\n")
    print(f"error: {inert_text(message)}", file=sys.stderr)
    return EXIT_BAD_INPUT

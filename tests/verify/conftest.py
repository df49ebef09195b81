"""Fixtures of the verification tests: a real SQLite registry in a tmp dir, fast settings."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from skill_registry import Provenance, Registry
from skills_runtime.replay import ReplayCase
from skills_runtime.verify import VerifySettings

FAST = VerifySettings(max_examples=15, call_seconds=1.0)


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry.open(tmp_path / "skills.db", durable=False, create=True) as opened:
        yield opened


def store(registry: Registry, name: str, source: str, cases: Sequence[ReplayCase]) -> int:
    """Add ``source`` as a synthesized version of ``name`` with its cases as regression cases."""
    record = registry.add_version(
        name,
        source=source,
        schema={"parameters": {"type": "object"}},
        summary=name,
        provenance=Provenance(synthesizer="test-synthesizer"),
    )
    for case in cases:
        registry.add_regression_case(name, case.to_json(), version=record.version)
    return record.version

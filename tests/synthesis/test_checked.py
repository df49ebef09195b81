"""Every skill synthesized from the real benchmarks passes the project's static checker."""

from __future__ import annotations

from skills_runtime.checking import check
from skills_runtime.synthesis import SynthesisResult


def test_every_generated_skill_passes_the_static_checker(
    learned_from_all: SynthesisResult,
) -> None:
    assert learned_from_all.skills
    for skill in learned_from_all.skills:
        report = check(skill.source)
        assert report.ok, (skill.name, [(f.code, f.message) for f in report.findings])

"""Reports of a skill library for people: one skill's dossier, and a static HTML page of them all.

::

    from skill_registry import Registry
    from skills_runtime.report import library, render_html

    registry = Registry.open("skillbank.db")
    Path("library.html").write_text(render_html(library(registry)), encoding="utf-8")
"""

from __future__ import annotations

from skills_runtime.report.dossier import Dossier, dossier, library
from skills_runtime.report.html import render_html

__all__ = ["Dossier", "dossier", "library", "render_html"]

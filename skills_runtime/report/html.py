"""A static, self-contained HTML page of a skill library: one file, no scripts, no network.

Every value that came from a skill, a trajectory or a report is escaped before it reaches the page
(skill source and task texts are untrusted text): first made inert (control, bidirectional and
invisible characters shown as escapes, :func:`sandbox.inert_text`), then HTML-escaped. Code is
highlighted with Pygments' inline styles when Pygments is installed (it comes with the ``cli``
extra), else shown as escaped text.
"""

from __future__ import annotations

import html
import importlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sandbox import inert_text
from skills_runtime.report.dossier import Dossier

__all__ = ["render_html"]

_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 2rem;
color:#1d1d1f}
h1{margin-bottom:.2rem} h2{border-top:2px solid #ddd;padding-top:1rem;margin-top:2.5rem}
h3{margin:1.2rem 0 .4rem;font-size:1rem}
table{border-collapse:collapse;margin:.4rem 0;width:100%}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f6} td code{white-space:nowrap}
pre{background:#f7f7f9;padding:.6rem;overflow-x:auto;border-radius:4px;font-size:13px}
.highlight pre{background:#f8f8f8}
.state{display:inline-block;padding:0 .5rem;border-radius:.6rem;font-size:.85rem;color:#fff;
background:#777}
.state-promoted{background:#1a7f37}.state-verified{background:#0969da}
.state-candidate{background:#9a6700}.state-draft{background:#6e7781}
.state-deprecated{background:#8250df}.state-rejected{background:#cf222e}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}.muted{color:#6e7781}
"""


def _e(value: Any) -> str:
    return html.escape(inert_text(str(value)), quote=True)


def _json(value: Any) -> str:
    return f"<pre>{_e(json.dumps(value, indent=2, ensure_ascii=False, default=str))}</pre>"


def _code(source: str) -> str:
    try:
        pygments = importlib.import_module("pygments")
        lexers = importlib.import_module("pygments.lexers")
        formatters = importlib.import_module("pygments.formatters")
    except ImportError:
        return f"<pre><code>{_e(source)}</code></pre>"
    formatter = formatters.HtmlFormatter(noclasses=True, style="friendly")
    highlighted: str = pygments.highlight(inert_text(source), lexers.PythonLexer(), formatter)
    return highlighted


def _verdict(passed: bool | None) -> str:
    if passed is None:
        return '<span class="muted">not run</span>'
    return '<span class="pass">passed</span>' if passed else '<span class="fail">failed</span>'


def _state(state: str) -> str:
    return f'<span class="state state-{_e(state)}">{_e(state)}</span>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _reliability(reliability: dict[str, Any]) -> str:
    uses = int(reliability.get("successes", 0)) + int(reliability.get("failures", 0))
    if not uses:
        return '<span class="muted">no recorded uses</span>'
    refusals = int(reliability.get("refusals", 0))
    refused = (
        f"; {refusals} stopped by the skill's own guard (counted as successes when no write "
        "came before)"
        if refusals
        else ""
    )
    return (
        f"{reliability['successes']} of {uses} uses succeeded; mean "
        f"{float(reliability['mean']):.2f}, 95% lower bound {float(reliability['lower_bound']):.2f}"
        f"{refused}"
    )


def _index_reliability(reliability: dict[str, Any]) -> str:
    """``3/4 (≥0.40)`` for the index, or a dash when the version has no recorded uses."""
    uses = int(reliability.get("successes", 0)) + int(reliability.get("failures", 0))
    if not uses:
        return '<span class="muted">—</span>'
    bound = float(reliability["lower_bound"])
    refusals = int(reliability.get("refusals", 0))
    refused = f" {refusals} refused" if refusals else ""
    return _e(f"{reliability['successes']}/{uses} (≥{bound:.2f}){refused}")


def _parameters(schema: dict[str, Any]) -> str:
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    rows = [
        (
            f"<code>{_e(name)}</code>",
            f"<code>{_e(json.dumps({k: v for k, v in spec.items() if k != 'description'}))}</code>",
            "yes" if name in required else "no",
            _e(spec.get("description", "")),
        )
        for name, spec in properties.items()
        if isinstance(spec, dict)
    ]
    if not rows:
        return '<p class="muted">no parameters besides <code>tools</code></p>'
    return _table(("parameter", "schema", "required", "description"), rows)


def _returns(item: Dossier) -> str:
    if item.returns is None:
        return ""
    return f"<p>Returns: <code>{_e(json.dumps(item.returns, ensure_ascii=False))}</code></p>"


def _check(item: Dossier) -> str:
    if item.check is None:
        return f"<p>Static check: {_verdict(None)}</p>"
    rows = [
        (
            f"<code>{_e(f.get('code', ''))}</code>",
            _e(f"{f.get('line', '?')}:{f.get('column', '?')}"),
            _e(f.get("message", "")),
        )
        for f in item.findings
    ]
    findings = _table(("code", "where", "message"), rows) if rows else "<p>No findings.</p>"
    return f"<p>Static check: {_verdict(item.check['passed'])}</p>{findings}"


def _verify(item: Dossier) -> str:
    if item.verify is None:
        return f"<p>Verification: {_verdict(None)}</p>"
    report = item.verify["report"]
    parts = [f"<p>Verification: {_verdict(item.verify['passed'])}"]
    if report.get("seconds") is not None:
        parts.append(f' <span class="muted">({float(report["seconds"]):.2f} s)</span>')
    parts.append("</p>")
    reasons = report.get("reasons") or []
    if reasons:
        parts.append("<ul>" + "".join(f"<li>{_e(r)}</li>" for r in reasons) + "</ul>")
    replays = [
        (
            _e(r.get("trajectory_id", "")),
            _verdict(bool(r.get("passed"))),
            _e("; ".join(r.get("reasons") or [])),
        )
        for r in item.replays
    ]
    if replays:
        parts.append("<h4>Replays of source trajectories</h4>")
        parts.append(_table(("trajectory", "result", "why"), replays))
    properties = [
        (
            _e(p.get("name", "")),
            _verdict(bool(p.get("passed"))),
            _e(p.get("examples", "")),
            _json(p["falsifying_example"])
            if p.get("falsifying_example")
            else _e(p.get("error") or ""),
        )
        for p in item.properties
    ]
    if properties:
        parts.append("<h4>Properties over generated inputs</h4>")
        parts.append(_table(("property", "result", "examples", "falsifying example"), properties))
    return "".join(parts)


def _provenance(item: Dossier) -> str:
    origin = item.provenance
    who = f"{origin.get('synthesizer', '?')} {origin.get('synthesizer_version', '')}".strip()
    parent = origin.get("parent_version")
    lines = [f"<p>Written by <code>{_e(who)}</code>"]
    if parent is not None:
        lines.append(f", derived from version {_e(parent)}")
    lines.append(".</p>")
    rows = [
        (
            f"<code>{_e(t.get('id', ''))}</code>",
            _e(t.get("task", "")) or '<span class="muted">—</span>',
        )
        for t in item.trajectories
    ]
    if rows:
        lines.append(_table(("source trajectory", "task"), rows))
    return "".join(lines)


def _audit(item: Dossier) -> str:
    rows = [
        (
            _e(datetime.fromtimestamp(float(entry.get("at", 0)), UTC).strftime("%Y-%m-%d %H:%M")),
            _e(entry.get("version", "")),
            _e(entry.get("action", "")),
            _e(f"{entry.get('from_state') or '—'} → {entry.get('to_state', '')}"),
            _e(entry.get("actor", "")),
            _e(entry.get("reason", "")),
        )
        for entry in item.audit
    ]
    return _table(("when (UTC)", "version", "action", "move", "actor", "reason"), rows)


def _section(item: Dossier) -> str:
    anchor = f"skill-{item.name}"
    tools = ", ".join(f"<code>{_e(t)}</code>" for t in item.tools) or "none"
    return "".join(
        [
            f'<section id="{_e(anchor)}" data-skill="{_e(item.name)}">',
            f"<h2>{_e(item.name)} <small>v{_e(item.version)}</small> {_state(item.state)}</h2>",
            f"<p>{_e(item.summary)}</p>",
            f"<p>Tools it calls: {tools}. Reliability: {_reliability(item.reliability)}.</p>",
            "<h3>Source</h3>",
            _code(item.source),
            "<h3>Parameters</h3>",
            _parameters(item.parameters),
            _returns(item),
            "<h3>Provenance</h3>",
            _provenance(item),
            "<h3>Tests</h3>",
            _check(item),
            _verify(item),
            f"<p>Regression cases travelling with the skill: {len(item.regression_cases)}.</p>",
            "<h3>Audit log</h3>",
            _audit(item),
            "</section>",
        ]
    )


def render_html(
    dossiers: Sequence[Dossier], *, title: str = "Skill library", generated: datetime | None = None
) -> str:
    """The whole page for ``dossiers`` (one section per skill, an index table on top)."""
    when = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    index = _table(
        ("skill", "version", "state", "checked", "verified", "reliability", "summary"),
        (
            (
                f'<a href="#skill-{_e(d.name)}">{_e(d.name)}</a>',
                _e(d.version),
                _state(d.state),
                _verdict(None if d.check is None else bool(d.check["passed"])),
                _verdict(None if d.verify is None else bool(d.verify["passed"])),
                _index_reliability(d.reliability),
                _e(d.summary),
            )
            for d in dossiers
        ),
    )
    body = "".join(_section(d) for d in dossiers) or "<p>The library holds no skills yet.</p>"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        f'<p class="muted">{len(dossiers)} skill{"" if len(dossiers) == 1 else "s"} · '
        f"generated {_e(when)} by skillbank</p>"
        f"{index}{body}</body></html>\n"
    )

"""Text from a skill reaches a terminal or a page only as inert text.

A docstring, printed output, an error message or a tool argument can carry terminal escape
sequences, 8-bit C1 controls, bidirectional controls (Trojan Source) and rich markup. Every place
that prints such text shows each of those characters as a visible escape and never interprets
markup in it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import inert_text

from .inert import HOSTILE, dangerous

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x9b", "\\x9b"),
        ("a\u202eb", "a\\u202eb"),
        (
            "\u061c\u200e\u200f\u2066\u2067\u2068\u2069",
            "\\u061c\\u200e\\u200f\\u2066\\u2067\\u2068\\u2069",
        ),
        ("\u202a\u202b\u202c\u202d", "\\u202a\\u202b\\u202c\\u202d"),
        ("x\ry", "x\\x0dy"),
        ("\ud800", "\\ud800"),
        ("\U000e0041", "\\U000e0041"),  # a TAG character: invisible
        # Characters that display as nothing though Python calls them printable: Hangul
        # fillers, variation selectors (text can be hidden in a run of them), the combining
        # grapheme joiner; OSC 8 hyperlinks and DCS strings lose their ESC like every sequence.
        ("admin\u3164", "admin\\u3164"),
        ("\u115f\u1160\uffa0", "\\u115f\\u1160\\uffa0"),
        ("hi\ufe00\ufe0f\U000e0100", "hi\\ufe00\\ufe0f\\U000e0100"),
        ("a\u034fb\u180bc\u17b4", "a\\u034fb\\u180bc\\u17b4"),
        (
            "\x1b]8;;https://x.test\x1b\\ok\x1b]8;;\x1b\\",
            "\\x1b]8;;https://x.test\\x1b\\ok\\x1b]8;;\\x1b\\",
        ),
        ("\x1bP1$r\x1b\\\x90q\x9c", "\\x1bP1$r\\x1b\\\\x90q\\x9c"),
        ("line\nnext\tcell", "line\nnext\tcell"),
        ("café 中文 😀 a\u00a0b", "café 中文 😀 a\u00a0b"),
    ],
)
def test_inert_text_shows_each_dangerous_character_as_an_escape(text: str, shown: str) -> None:
    assert inert_text(text) == shown


def test_inert_text_in_one_line_contexts_escapes_newlines_too() -> None:
    assert inert_text("a\nb\tc", newlines=False) == "a\\x0ab\\x09c"


def test_inert_text_leaves_nothing_a_terminal_acts_on() -> None:
    assert dangerous(inert_text(HOSTILE)) == []


def _sandbox_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "skill.py").write_text(
        "def f(text: str) -> str:\n    print(text)\n    raise ValueError(text)\n"
    )
    return subprocess.run(
        [sys.executable, "-m", "sandbox", "run", "skill.py", "--entry", "f", *args],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_python_m_sandbox_run_prints_skill_output_and_errors_inert(tmp_path: Path) -> None:
    done = _sandbox_cli(tmp_path, "--args", json.dumps({"text": HOSTILE}))
    assert done.returncode == 1
    assert dangerous(done.stdout + done.stderr) == []
    assert "\\x1b]0;owned" in done.stderr  # shown, not acted on


def test_python_m_sandbox_run_json_has_no_raw_control_characters(tmp_path: Path) -> None:
    done = _sandbox_cli(tmp_path, "--args", json.dumps({"text": HOSTILE}), "--json")
    assert dangerous(done.stdout) == []
    document = json.loads(done.stdout)
    assert document["output"] == HOSTILE + "\n"  # the data itself is intact


# -- skillbank: every command that prints skill text -----------------------------------------------

HOSTILE_SOURCE = (
    "def hostile(tools, text: str) -> str:\n"
    f'    """{HOSTILE}\n\n    Args:\n        text: Anything.\n\n'
    '    Returns:\n        It.\n    """\n'
    f"    # {HOSTILE}\n"
    "    return text\n"
)

ECHO_SOURCE = '''def echoer(tools, text: str) -> str:
    """Echo the text through the echo tool, then fail with it.

    Args:
        text: Anything.

    Returns:
        Never returns.
    """
    print(text)
    tools.echo(text=text)
    raise ValueError(text)
'''

ECHO_TOOLS = '''from skills_runtime.tools import Toolset

toolset = Toolset("echoes")


@toolset.tool
def echo(text: str) -> str:
    """Say it back.

    Args:
        text: Anything.
    """
    return text
'''

REPORT = {
    "passed": False,
    "status": "ok",
    "reasons": [HOSTILE],
    "seconds": 0.1,
    "replays": [{"trajectory_id": HOSTILE, "passed": False, "reasons": [HOSTILE]}],
    "properties": [
        {
            "name": "no_unexpected_exception",
            "passed": False,
            "examples": 1,
            "falsifying_example": {"arguments": {"text": HOSTILE}},
            "error": HOSTILE,
        }
    ],
}


def _seed(path: Path) -> None:
    """A registry holding skill text of every kind a hostile author controls."""
    from skill_registry import Provenance, Registry

    with Registry.open(path, create=True) as registry:
        for version, source in enumerate((HOSTILE_SOURCE, HOSTILE_SOURCE + f"# {HOSTILE}\n")):
            record = registry.add_version(
                "hostile",
                source=source,
                schema={
                    "parameters": {
                        "type": "object",
                        "properties": {"text": {"type": "string", "description": HOSTILE}},
                    }
                },
                summary=HOSTILE,
                docstring=HOSTILE,
                tools=["echo"],
                provenance=Provenance(synthesizer="human:test"),
                trajectories=[
                    {
                        "id": f"t{version}",
                        "task": HOSTILE,
                        "calls": [{"name": "echo", "arguments": {"text": HOSTILE}}],
                    }
                ],
            )
            check_report = {
                "ok": False,
                "findings": [{"code": "SK122", "message": HOSTILE, "line": 2, "column": 1}],
            }
            registry.record_report(
                record.content_hash, kind="check", passed=False, report=check_report
            )
            registry.record_report(record.content_hash, kind="verify", passed=False, report=REPORT)
        registry.transition(
            "hostile", version=2, to="candidate", actor="human:test", reason=HOSTILE
        )
        registry.add_regression_case(
            "hostile",
            {"trajectory_id": HOSTILE, "arguments": {"text": HOSTILE}, "calls": []},
            version=1,
        )
        registry.add_version(
            "echoer",
            source=ECHO_SOURCE,
            schema={"parameters": {"type": "object"}},
            summary="Echo the text.",
            tools=["echo"],
            provenance=Provenance(synthesizer="human:test"),
        )


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("inert") / "skills.db"
    _seed(path)
    (path.parent / "echo_tools.py").write_text(ECHO_TOOLS)
    return path


def _skillbank(db: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    from typer.testing import CliRunner

    from skills_runtime.cli.app import app

    done = CliRunner().invoke(app, [*args, "--db", str(db)], input=stdin)
    assert done.exception is None or isinstance(done.exception, SystemExit), repr(done.exception)
    return done.exit_code, done.output


COMMANDS = {
    "list": ("list",),
    "list --json": ("list", "--json"),
    "show": ("show", "hostile"),
    "show --json": ("show", "hostile", "--json"),
    "show v1": ("show", "hostile", "--version", "1"),
    "diff": ("diff", "hostile", "1", "2"),
    "diff --json": ("diff", "hostile", "1", "2", "--json"),
    "search": ("search", "evil", "--state", "draft"),
}


@pytest.mark.parametrize("args", list(COMMANDS.values()), ids=list(COMMANDS))
def test_registry_commands_print_skill_text_inert_and_literal(
    hostile_db: Path, args: tuple[str, ...]
) -> None:
    code, output = _skillbank(hostile_db, *args)
    assert code in (0, 1), output
    assert dangerous(output) == []
    if args[0] in ("show", "diff") and "--json" not in args:
        # Markup in skill text is printed as written, never turned into a link or a style.
        assert "[/]" in output


def test_review_prints_skill_text_inert(hostile_db: Path) -> None:
    code, output = _skillbank(hostile_db, "review", stdin="q\n")
    assert code in (0, 1), output
    assert dangerous(output) == []


def test_call_prints_tool_arguments_output_and_errors_inert(hostile_db: Path) -> None:
    import sys

    sys.path.insert(0, str(hostile_db.parent))
    try:
        code, output = _skillbank(
            hostile_db,
            "call",
            "echoer",
            "--tools",
            "echo_tools:toolset",
            "--args",
            json.dumps({"text": HOSTILE}),
            "--no-record",
        )
    finally:
        sys.path.remove(str(hostile_db.parent))
    assert code == 1, output  # the skill raised: no crash on "[/]" in its arguments
    assert dangerous(output) == []
    assert "[/]" in output  # printed as written: neither a crash nor a style


def test_the_html_report_shows_skill_text_inert_and_escaped(
    hostile_db: Path, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    code, output = _skillbank(hostile_db, "report", "--html", str(page))
    assert code == 0, output
    html_text = page.read_text(encoding="utf-8")
    assert dangerous(html_text) == []
    assert "\\u202e" in html_text
    assert "<link" not in html_text.lower() or "evil.example" not in html_text.split("<link")[1]


def test_verify_and_add_print_gate_results_inert(tmp_path: Path) -> None:
    db = tmp_path / "skills.db"
    _seed(db)
    code, output = _skillbank(db, "verify", "echoer")
    assert code == 1, output  # the skill raises on every input
    assert dangerous(output) == []
    path = tmp_path / "echoer.py"
    path.write_text(ECHO_SOURCE.replace("raise ValueError(text)", f"raise ValueError({HOSTILE!r})"))
    code, output = _skillbank(db, "add", str(path), "--name", "echoer")
    assert code == 1, output
    assert dangerous(output) == []


def test_add_under_a_name_carrying_markup_and_escapes_is_refused_inert_without_a_traceback(
    tmp_path: Path,
) -> None:
    path = tmp_path / "echoer.py"
    path.write_text(ECHO_SOURCE)
    db = tmp_path / "skills.db"
    code, output = _skillbank(
        db, "add", str(path), "--name", "[link=https://evil.example]ok\x1b[2J"
    )
    assert code == 2, output
    assert "Traceback" not in output
    assert dangerous(output) == []
    assert "is not valid" in output
    assert "nothing was stored" in " ".join(output.split())

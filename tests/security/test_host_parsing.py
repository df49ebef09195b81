"""The host is never slow or crashing because of a skill source.

The static checker, ``signature_of`` and everything that reads a skill source run in the host,
on untrusted text. Their parsing is linear (no backtracking regular expression reads skill
text; every pattern that exists is pinned here with the reason it is linear), bounded by the
pre-parse caps and by a time budget (SK006), and every value they take from a source survives
JSON or is refused with a code (SK122, SK105). Sources with bidirectional or invisible
characters are refused (SK005). Timing is never asserted: the worst case is measured by
``bench/checker.py``.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skill_registry import Registry
from skills_runtime.checking import CheckPolicy, check, signature_of
from skills_runtime.checking.docstring import argument_entry, parse_docstring, section_name
from skills_runtime.cli.app import app
from skills_runtime.errors import InvalidInput

ROOT = Path(__file__).resolve().parents[2]

DOC = (
    '    """Add one.\n\n    Args:\n        n: A number.\n\n    Returns:\n        The sum.\n'
    '    """\n'
)


def skill(params: str = "tools, n: int", doc: str = DOC, header: str = "") -> str:
    return f"{header}def add_one({params}) -> int:\n{doc}    return n + 1\n"


# -- linear parsing ------------------------------------------------------------------------------

AUDITED_PATTERNS = {
    # pattern (or the expression building it) -> why it cannot backtrack on untrusted text
    "[\\x00-\\x08\\x0b\\x0e-\\x1f\\x7f-\\x9f]": "one character class, no repetition",
    "(://[^:/@?]*):[^@/?]*@": "two runs of classes excluding the ':' and '@' that end them",
    "[a-z0-9][a-z0-9_]{0,39}": "bounded repetition of one class (matched whole, fullmatch)",
    "\\bINTEGER PRIMARY KEY\\b": "fixed words (our own migration SQL, not untrusted text)",
    "\\bINTEGER\\b": "a fixed word (our own migration SQL)",
    "\\bREAL\\b": "a fixed word (our own migration SQL)",
    "\\bBLOB\\b": "a fixed word (our own migration SQL)",
    "\\r\\n|\\r|\\n": "fixed alternatives of at most two characters",
    "[^a-z0-9]+": "one repeated class, nothing after it to backtrack into",
    '^  skillbank-version: "(\\d+)"$': "anchored; one digit run between fixed text",
    "^[a-zA-Z0-9_-]{1,64}$": "anchored; bounded repetition of one class",
    "[^a-zA-Z0-9_-]": "one character class",
    'f"\\\\b(a|an|the) {re.escape(entity)}(?![\\\\w\'])"': "literal words: no repetition",
    "u[bcdfghjklmnpqrstvwxz][aeiou]": "three single characters",
    "re.escape(cut)": "an escaped literal: no repetition",
    "(?<![\\w'])'[^'\\n]{1,40}'(?![\\w'])": "bounded repetition ({1,40}) of one class",
    "\\n": "one character",
    "^Line (\\d+): (.*)$": "anchored; a digit run, then the rest of a compiler message",
    "[0-9a-f]{64}": "bounded repetition of one class",
    "[A-Za-z_][A-Za-z0-9_.\\-]{0,199}": "bounded repetition of one class",
    "[^\\W_]+": "one repeated class",
    "(?<=[a-z0-9])(?=[A-Z])": "zero-width lookarounds of one character",
    "[^\\W\\d_]+|\\d+|\\s+|.": "alternatives of one repeated class each, nothing after them",
    r"'(?<!\\w)' + ''.join(parts) + '(?!\\w)'": (
        "runs of disjoint classes and literals (a value's shape, at most 80 characters, never"
        " starting with a space), anchored off word characters: no backtracking"
    ),
}
SKILL_PATTERNS = "sandbox/namespaces.py"
"""Where skill code's own patterns run: inside the sandbox worker, under its CPU limit."""


def _patterns() -> dict[str, str]:
    found: dict[str, str] = {}
    for package in ("skills_runtime", "sandbox", "skill_registry"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if relative == SKILL_PATTERNS:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in ("re", "_re")
                    and node.func.attr
                    in ("compile", "match", "search", "fullmatch", "findall", "finditer", "sub")
                    and node.args
                ):
                    first = node.args[0]
                    key = first.value if isinstance(first, ast.Constant) else ast.unparse(first)
                    found[str(key)] = relative
    return found


def test_every_regular_expression_in_the_host_is_audited_as_linear() -> None:
    found = _patterns()
    unaudited = {
        pattern: where for pattern, where in found.items() if pattern not in AUDITED_PATTERNS
    }
    assert not unaudited, (
        "a new regular expression: check it cannot backtrack on untrusted text (or parse by "
        f"hand), then add it to AUDITED_PATTERNS with the reason: {unaudited}"
    )


def test_the_docstring_reader_uses_no_regular_expression() -> None:
    for module in ("checking/docstring.py", "checking/prescan.py", "export/pytypes.py"):
        tree = ast.parse((ROOT / "skills_runtime" / module).read_text(encoding="utf-8"))
        used = {
            node.func.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in ("match", "search", "fullmatch")
        }
        assert not used, module


@pytest.mark.parametrize(
    ("line", "entry"),
    [
        ("n: A number.", ("n", "A number.")),
        ("n (int): A number.", ("n", "A number.")),
        ("**kwargs:  more", ("**kwargs", "more")),
        ("a" + "\t" * 8000 + "b", None),
        ("a" + " " * 8000 + "(x", None),
        ("a" + " " * 8000 + "(x)" + " " * 8000 + ": y", ("a", "y")),
        ("***a: x", None),
        ("1a: x", None),
    ],
)
def test_an_args_entry_is_read_by_one_left_to_right_scan(line: str, entry: object) -> None:
    assert argument_entry(line) == entry


def test_section_headers_are_read_by_hand() -> None:
    assert section_name("Args:") == "Args"
    assert section_name("Returns:   ") == "Returns"
    assert section_name("Args: x") is None
    assert section_name("args:") is None
    assert section_name("A" + " " * 10000 + "x") is None


def test_the_tab_attack_on_an_args_line_is_an_ordinary_finding() -> None:
    source = skill(doc=DOC.replace("n: A number.", "n" + "\t" * 8000 + "b"))
    report = check(source)
    assert report.codes == ("SK106",)
    assert parse_docstring("S.\n\nArgs:\n    a" + "\t" * 8000 + "b").args == {}


def test_a_check_past_its_time_budget_fails_with_sk006() -> None:
    report = check(skill(), policy=CheckPolicy(max_seconds=1e-9))
    assert not report.ok
    assert report.codes == ("SK006",)
    assert "max_seconds" in (report.findings[0].hint or "")


def test_the_token_cap_keeps_the_parse_small() -> None:
    source = skill(doc=DOC + "".join(f"    x{i} = n + n\n" for i in range(500)))
    assert check(source).codes == ("SK002",)


@pytest.mark.parametrize(
    "filler",
    ["\n" * 30_000, "#\n" * 15_000, "    n = n\r" * 3_000, "\n    # note\n" * 4_000],
    ids=["blank lines", "comment lines", "carriage returns", "comments and blank lines"],
)
def test_line_breaks_and_comments_count_as_tokens_so_they_cannot_slow_the_parse(
    filler: str,
) -> None:
    # Each line break and comment is a node of libcst's tree: 90,000 blank lines took the
    # parser and its metadata passes over a minute. The prescan refuses them before parsing.
    source = skill(doc=DOC + filler)
    (finding,) = check(source).findings
    assert finding.code == "SK002"
    assert (
        finding.message == "the source has more than 2000 tokens (line breaks and comments count)"
    )
    with pytest.raises(InvalidInput, match="SK002"):
        signature_of(source)  # allows larger sources, not more tokens


# -- values from a source survive JSON, or are refused with a code --------------------------------

HUGE_HEX = "0x" + "f" * 20_000


@pytest.mark.parametrize(
    ("source", "code"),
    [
        (skill(params=f"tools, n: int = {HUGE_HEX}"), "SK122"),
        (skill(params=f"tools, n: int = -{HUGE_HEX}"), "SK122"),
        (skill(params="tools, n: int = 9223372036854775808"), "SK122"),
        (skill(params="tools, n: str = '\\udc80'"), "SK122"),
        (skill(params="tools, n: float = 1e999"), "SK103"),
        (
            skill(params=f"tools, n: Literal[{HUGE_HEX}]", header="from typing import Literal\n"),
            "SK105",
        ),
        (
            skill(params="tools, n: Literal['\\ud800']", header="from typing import Literal\n"),
            "SK105",
        ),
        (skill(doc=DOC.replace("Add one.", "Add \\ud800 one.")), "SK122"),
        (skill(doc=DOC.replace("A number.", "A \\x9b2J number.")), "SK122"),
        (skill(doc=DOC.replace("The sum.", "The \\u2066sum.")), "SK122"),
        (skill(doc=DOC.replace("The sum.", "The sum\\ufe01\\ufe02\\ufe03.")), "SK122"),
        (skill(doc=DOC.replace("A number.", "A \\u3164 number.")), "SK122"),
    ],
)
def test_a_value_json_cannot_carry_is_refused_with_a_code(source: str, code: str) -> None:
    report = check(source)
    assert code in report.codes, report.findings
    assert "SK000" not in report.codes
    json.dumps(report.to_json())  # the report itself always serialises
    with pytest.raises(InvalidInput):
        signature_of(source)


def test_the_largest_safe_values_still_pass() -> None:
    assert check(skill(params="tools, n: int = 9223372036854775807")).ok
    assert check(skill(params="tools, n: int = -9223372036854775808")).ok
    assert check(skill(params="tools, n: float = 1.7976931348623157e308")).ok


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("\u202e", "RIGHT-TO-LEFT OVERRIDE"),
        ("\u2066", "LEFT-TO-RIGHT ISOLATE"),
        ("\u200f", "RIGHT-TO-LEFT MARK"),
        ("\u061c", "ARABIC LETTER MARK"),
        ("\u200b", "ZERO WIDTH SPACE"),
        ("\ufeff", "ZERO WIDTH NO-BREAK SPACE"),
        ("\u2028", "LINE SEPARATOR"),
        ("\u3164", "HANGUL FILLER"),
        ("\ufe0f", "VARIATION SELECTOR-16"),
        ("\u034f", "COMBINING GRAPHEME JOINER"),
    ],
)
def test_bidirectional_and_invisible_characters_in_source_are_refused_with_sk005(
    text: str, name: str
) -> None:
    # Trojan Source: the character sits in a comment, where it reorders what a reader sees.
    source = skill(doc=DOC + f"    # check the order{text} is ours\n")
    report = check(source)
    assert report.codes == ("SK005",)
    (finding,) = report.findings
    assert name in finding.message
    assert (finding.line, finding.column) == (10, 22)
    assert "CVE-2021-42574" in (finding.hint or "")


def test_c1_control_characters_in_source_are_refused_with_sk004() -> None:
    assert check(skill(doc=DOC + "    # \x9b2J\n")).codes == ("SK004",)


# -- skillbank add: a clear verdict, never a traceback --------------------------------------------


def _add(tmp_path: Path, source: str, *options: str) -> tuple[int, str, Path]:
    path = tmp_path / "add_one.py"
    path.write_text(source, encoding="utf-8")
    db = tmp_path / "skills.db"
    done = CliRunner().invoke(app, ["add", str(path), "--db", str(db), "--json", *options])
    assert done.exception is None or isinstance(done.exception, SystemExit), done.exception
    return done.exit_code, done.stdout, db


def test_add_of_a_default_past_the_int_to_str_limit_fails_its_gate_without_a_traceback(
    tmp_path: Path,
) -> None:
    source = skill(params=f"tools, n: int = {HUGE_HEX}")
    code, stdout, _ = _add(tmp_path, source)
    assert code == 2  # its name cannot be read from a signature that does not serialise
    assert "SK122" in json.loads(stdout)["error"]
    code, stdout, db = _add(tmp_path, source, "--name", "add_one")
    assert code == 1
    document = json.loads(stdout)
    assert document["state"] == "draft"
    assert [f["code"] for f in document["gates"]["check"]["findings"]] == ["SK122"]
    with Registry.open(db) as registry:
        assert registry.get("add_one").schema == {"parameters": {"type": "object"}}


def test_add_of_a_trojan_source_is_refused_at_the_door(tmp_path: Path) -> None:
    code, stdout, db = _add(tmp_path, skill(doc=DOC + "    # ok\u202e\n"))
    assert code == 2
    assert "SK005" in json.loads(stdout)["error"]
    assert not db.exists() or not Registry.open(db).list_skills()

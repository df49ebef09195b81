"""Typed skill sources run as written: the imports that serve only annotations go with them."""

from __future__ import annotations

import ast
from types import TracebackType

import pytest

from sandbox import InProcessExecutor
from sandbox.annotations import strip_annotations
from sandbox.restricted import CompiledSkill, Rejection, compile_skill

TYPED = '''from __future__ import annotations

from typing import Any, Literal


def pick(tools, mode: Literal["a", "b"], n: int | None = None) -> dict[str, Any]:
    """Echo."""
    return {"mode": mode, "n": n}
'''


def test_a_typed_skill_with_typing_imports_compiles_and_runs(inprocess: InProcessExecutor) -> None:
    result = inprocess.run(TYPED, entry="pick", args={"mode": "a"})

    assert result.status == "ok"
    assert result.value == {"mode": "a", "n": None}


@pytest.mark.parametrize(
    "source",
    [
        "from typing import Any as eval\n\ndef f(tools):\n    return 1\n",
        "from typing import cast\n\ndef f(tools):\n    return 1\n",
        "from typing import *\n\ndef f(tools):\n    return 1\n",
        "from os import path\n\ndef f(tools):\n    return 1\n",
        "import typing\n\ndef f(tools):\n    return 1\n",
        "from __future__ import braces\n\ndef f(tools):\n    return 1\n",
        "def f(tools):\n    from typing import Any\n    return 1\n",
    ],
    ids=["alias", "other-name", "star", "other-module", "plain-import", "future-other", "nested"],
)
def test_any_other_import_is_still_refused(source: str) -> None:
    compiled = compile_skill(source)

    assert isinstance(compiled, Rejection)
    assert compiled.line is not None


def test_an_annotation_import_never_binds_its_name_for_the_skill() -> None:
    compiled = compile_skill("from typing import Any\n\ndef f(tools):\n    return Any\n")

    assert isinstance(compiled, CompiledSkill)
    with pytest.raises(NameError):
        compiled.call("f", {}, dispatch=lambda name, kwargs: None)


def test_a_stripped_import_keeps_the_line_numbers_of_the_typed_source() -> None:
    source = (
        "from __future__ import annotations\n"
        "from typing import (\n"
        "    Any,\n"
        "    Literal,\n"
        ")\n"
        "\n"
        "def f(tools, x: Any) -> Literal['a']:\n"
        "    return 1 // x\n"
    )
    compiled = compile_skill(source, filename="<typed>")

    assert isinstance(compiled, CompiledSkill)
    with pytest.raises(ZeroDivisionError) as raised:
        compiled.call("f", {"x": 0}, dispatch=lambda name, kwargs: None)
    lines = [tb.tb_lineno for tb in _frames(raised.value.__traceback__)]
    assert lines[-1] == 8


def _frames(tb: TracebackType | None) -> list[TracebackType]:
    frames = []
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    return frames


TYPED_BODY = (
    "from typing import Any\n"
    "\n"
    "def f(tools, a: int, *rest: Any, key: str = 'k', **more: Any) -> dict[str, Any]:\n"
    "    total: int = a // 1 if a else 0\n"
    "    later: list[int]\n"
    "    return {'total': total, 'key': key}\n"
)


def test_the_stripped_tree_has_no_annotation_left() -> None:
    tree = strip_annotations(ast.parse(TYPED_BODY))

    for node in ast.walk(tree):
        assert not isinstance(node, ast.AnnAssign | ast.ImportFrom)
        if isinstance(node, ast.arg):
            assert node.annotation is None
        if isinstance(node, ast.FunctionDef):
            assert node.returns is None


def test_the_stripped_tree_keeps_the_columns_of_the_typed_source() -> None:
    # The verifier's coverage matches the positions of the instructions that ran against these.
    expected = next(n for n in ast.walk(ast.parse(TYPED_BODY)) if isinstance(n, ast.IfExp))
    stripped = next(
        n for n in ast.walk(strip_annotations(ast.parse(TYPED_BODY))) if isinstance(n, ast.IfExp)
    )

    assert (stripped.lineno, stripped.col_offset, stripped.end_col_offset) == (
        expected.lineno,
        expected.col_offset,
        expected.end_col_offset,
    )


def test_a_typed_skill_with_every_kind_of_annotation_runs(inprocess: InProcessExecutor) -> None:
    result = inprocess.run(TYPED_BODY, entry="f", args={"a": 3})

    assert (result.status, result.value) == ("ok", {"total": 3, "key": "k"})

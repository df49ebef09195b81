"""Every rule: a source that passes it and one that fails it, per code."""

from __future__ import annotations

import pytest
from sources import BODY, DOC, EXCHANGE, skill

from skills_runtime.checking import RULES, CheckPolicy, check

HELPERS = CheckPolicy(allow_helpers=True)
WHILE = CheckPolicy(allow_while=True)
GRANTED = CheckPolicy(granted_tools=frozenset({"get_order_details"}))
TINY = CheckPolicy(
    max_lines=20, max_statements=2, max_nesting_depth=1, max_complexity=2, max_loops=1
)

LOOP_BODY = "    for x in [1, 2]:\n        pass\n" + BODY
NESTED = "    for x in [1]:\n        if x:\n            pass\n" + BODY

# (code, passing source, failing source, policy)
CASES: list[tuple[str, str, str, CheckPolicy]] = [
    ("SK101", skill(), skill(after="\n\ndef other(tools) -> None:\n    pass\n"), CheckPolicy()),
    ("SK101", skill(), "from typing import Any\n", CheckPolicy()),
    (
        "SK101",
        skill(),
        skill(after="\n\ndef _helper(x: str) -> str:\n    return x\n"),
        CheckPolicy(),
    ),
    (
        "SK102",
        '"""A module docstring."""\n' + skill(),
        skill(header="from typing import Any\nX = 1\n"),
        CheckPolicy(),
    ),
    ("SK102", skill(), skill(after="\nfetch_order(None, '1')\n"), CheckPolicy()),
    ("SK103", skill(), skill(params="order_id: str, tools"), CheckPolicy()),
    (
        "SK103",
        skill(params="tools: Any, order_id: str"),
        skill(params="tools: int, order_id: str"),
        CheckPolicy(),
    ),
    (
        "SK103",
        skill(params="tools, order_id: str = 'x'"),
        skill(params="tools, order_id: str = 3"),
        CheckPolicy(),
    ),
    (
        "SK103",
        skill(params="tools, order_id: str | None = None"),
        skill(params="tools, order_id: str = []"),
        CheckPolicy(),
    ),
    (
        "SK103",
        skill(params="tools, *, order_id: str"),
        skill(params="tools, order_id: str, *args: str"),
        CheckPolicy(),
    ),
    ("SK103", skill(), skill(params="tools, order_id: str, **kw: str"), CheckPolicy()),
    ("SK103", skill(), skill(params="tools, /, order_id: str"), CheckPolicy()),
    ("SK104", skill(), skill(params="tools, order_id"), CheckPolicy()),
    ("SK104", skill(), skill(returns=""), CheckPolicy()),
    (
        "SK105",
        skill(params="tools, order_id: list[dict[str, int | None]]"),
        skill(params="tools, order_id: 'str'"),
        CheckPolicy(),
    ),
    (
        "SK105",
        skill(
            params="tools, order_id: Literal['a', 'b']", header="from typing import Any, Literal\n"
        ),
        skill(params="tools, order_id: tuple[str]"),
        CheckPolicy(),
    ),
    ("SK105", skill(), skill(params="tools, order_id: dict[int, str]"), CheckPolicy()),
    ("SK105", skill(), skill(params="tools, order_id: str | int"), CheckPolicy()),
    ("SK105", skill(), skill(returns=" -> object"), CheckPolicy()),
    ("SK106", skill(), skill(doc=""), CheckPolicy()),
    (
        "SK106",
        skill(),
        skill(doc='    """Fetch an order.\n\n    Returns:\n        The order.\n    """\n'),
        CheckPolicy(),
    ),
    ("SK106", skill(), skill(doc=DOC.replace("order_id:", "order:")), CheckPolicy()),
    (
        "SK106",
        skill(),
        skill(doc=DOC.replace("    Returns:\n        The order.\n", "")),
        CheckPolicy(),
    ),
    ("SK107", skill(), skill("    t = tools\n" + BODY), CheckPolicy()),
    ("SK107", skill(), skill("    helper(tools)\n" + BODY), CheckPolicy()),
    ("SK107", skill(), skill("    tools['get_order_details']\n" + BODY), CheckPolicy()),
    ("SK107", skill(), skill("    tools.x = 1\n" + BODY), CheckPolicy()),
    ("SK107", skill(), skill("    return tools.get_order_details(order_id)\n"), CheckPolicy()),
    ("SK107", skill(), skill("    f = tools.get_order_details\n" + BODY), CheckPolicy()),
    ("SK107", skill(), skill("    tools = 1\n" + BODY), CheckPolicy()),
    ("SK108", skill(), skill("    return tools.cancel_order(order_id=order_id)\n"), GRANTED),
    ("SK109", skill(), skill(header="import os\n"), CheckPolicy()),
    ("SK109", skill(), skill(header="import typing as t\n", returns=" -> t.Any"), CheckPolicy()),
    (
        "SK109",
        skill(),
        skill(header="from typing import Any as eval\nfrom typing import Any\n"),
        CheckPolicy(),
    ),
    ("SK109", skill(), skill(header="from os import path as Any\n"), CheckPolicy()),
    ("SK109", skill(), skill(header="from typing import *\n"), CheckPolicy()),
    ("SK109", skill(), skill("    from typing import Any\n" + BODY), CheckPolicy()),
    ("SK110", skill("    _ = 1\n" + BODY), skill("    _x = 1\n" + BODY), CheckPolicy()),
    ("SK110", skill(), skill("    order_id.__class__\n" + BODY), CheckPolicy()),
    ("SK110", skill(), skill("    x = order_id._private\n" + BODY), CheckPolicy()),
    ("SK111", skill(), skill("    f = lambda: 1\n" + BODY), CheckPolicy()),
    ("SK111", skill(), skill(after="\n\nclass A:\n    pass\n"), CheckPolicy()),
    ("SK111", skill(), skill(header="from typing import Any\n\n\n@staticmethod"), CheckPolicy()),
    ("SK111", skill(), skill("    global order_id\n" + BODY), CheckPolicy()),
    ("SK111", skill(), skill("    with order_id:\n        pass\n" + BODY), CheckPolicy()),
    ("SK111", skill(), skill("    yield 1\n" + BODY), CheckPolicy()),
    ("SK111", skill(), skill("    def inner() -> None:\n        pass\n" + BODY), CheckPolicy()),
    (
        "SK111",
        skill(),
        skill(name="async def fetch").replace("def async def", "async def"),
        CheckPolicy(),
    ),
    ("SK111", skill(), skill("    assert order_id\n" + BODY), CheckPolicy()),
    ("SK111", skill(), skill("    del order_id\n" + BODY), CheckPolicy()),
    (
        "SK112",
        skill("    n = len(order_id)\n" + BODY),
        skill("    eval(order_id)\n" + BODY),
        CheckPolicy(),
    ),
    ("SK112", skill(), skill("    x = getattr(order_id, 'y')\n" + BODY), CheckPolicy()),
    ("SK112", skill(), skill("    x = undefined_name\n" + BODY), CheckPolicy()),
    ("SK112", skill(), skill("    open('/etc/passwd')\n" + BODY), CheckPolicy()),
    ("SK112", skill(), skill("    type(order_id)\n" + BODY), CheckPolicy()),
    (
        "SK113",
        skill("    n = 3\n    while n:\n        n -= 1\n" + BODY),
        skill("    while True:\n        pass\n" + BODY),
        WHILE,
    ),
    ("SK113", skill(), skill("    n = 3\n    while n:\n        n -= 1\n" + BODY), CheckPolicy()),
    ("SK113", skill(), skill("    while not 0:\n        pass\n" + BODY), WHILE),
    ("SK114", skill(), skill("    x = 1\n" * 10 + BODY), TINY),
    ("SK115", skill(), skill("    x = 1\n    y = 2\n" + BODY), TINY),
    ("SK116", skill("    if order_id:\n        pass\n" + BODY), skill(NESTED), TINY),
    ("SK117", skill(), skill("    if order_id and order_id:\n        pass\n" + BODY), TINY),
    ("SK118", skill(LOOP_BODY), skill(LOOP_BODY + "    [y for y in order_id]\n"), TINY),
    (
        "SK119",
        skill("    x = f'{order_id}'\n" + BODY),
        skill("    x = '{}'.format(order_id)\n" + BODY),
        CheckPolicy(),
    ),
    (
        "SK120",
        skill(),
        skill(
            params="tools, order_id: str, unused: int",
            doc=DOC.replace('"#W1".', '"#W1".\n        unused: Not used.'),
        ),
        CheckPolicy(),
    ),
    ("SK121", skill(), skill("    tools.get_order_details(order_id=order_id)\n"), CheckPolicy()),
    ("SK121", skill(), skill("    if order_id:\n        return\n" + BODY), CheckPolicy()),
    (
        "SK122",
        skill(params="tools, order_id: str = 'W1'"),
        skill(params="tools, order_id: str = '\\ud800'"),
        CheckPolicy(),
    ),
    ("SK122", skill(), skill(params="tools, order_id: int = 0x" + "f" * 17), CheckPolicy()),
    (
        "SK122",
        skill(),
        skill(doc=DOC.replace("Fetch an order.", "Fetch\\x1b[2J an order.")),
        CheckPolicy(),
    ),
    (
        "SK122",
        skill(),
        skill(doc=DOC.replace("Fetch an order.", "Fetch \\u202e an order.")),
        CheckPolicy(),
    ),
]


@pytest.mark.parametrize(
    ("code", "passing", "failing", "policy"),
    CASES,
    ids=[f"{case[0]}-{index}" for index, case in enumerate(CASES)],
)
def test_each_rule_flags_its_failing_example_and_not_its_passing_one(
    code: str, passing: str, failing: str, policy: CheckPolicy
) -> None:
    passed = check(passing, policy=policy)
    failed = check(failing, policy=policy)
    assert code not in passed.codes, passed.findings
    assert code in failed.codes, failed.findings
    assert "SK000" not in passed.codes + failed.codes


def test_every_rule_code_has_a_failing_example() -> None:
    assert {rule.code for rule in RULES} <= {case[0] for case in CASES}


def test_rule_codes_are_unique_and_well_formed() -> None:
    codes = [rule.code for rule in RULES]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 5 and code.startswith("SK") and code[2:].isdigit() for code in codes)


def test_the_valid_skill_passes_without_findings() -> None:
    report = check(skill())
    assert report.ok
    assert report.findings == ()
    assert report.tools_called == ("get_order_details",)


def test_a_realistic_exchange_skill_passes_and_lists_its_tools_in_call_order() -> None:
    report = check(EXCHANGE)
    assert report.findings == ()
    assert report.tools_called == (
        "find_user_id_by_name_zip",
        "get_order_details",
        "exchange_delivered_order_items",
    )


def test_a_warning_alone_keeps_the_report_ok() -> None:
    source = skill(
        params="tools, order_id: str, unused: int",
        doc=DOC.replace('"#W1".', '"#W1".\n        unused: Spare.'),
    )
    report = check(source)
    assert report.ok
    assert [(f.code, f.severity) for f in report.findings] == [("SK120", "warning")]


def test_findings_point_at_the_offending_line_and_column() -> None:
    source = skill("    x = eval(order_id)\n" + BODY)
    (finding,) = check(source).findings
    line = source.splitlines()[finding.line - 1]
    assert line[finding.column - 1 :].startswith("eval")
    assert finding.hint


def test_helpers_may_be_called_when_the_policy_allows_them() -> None:
    source = skill(
        "    return _shape(tools.get_order_details(order_id=order_id))\n",
        after="\n\ndef _shape(order: dict[str, Any]) -> dict[str, Any]:\n    return order\n",
    )
    assert check(source, policy=HELPERS).ok
    assert "SK101" in check(source).codes


def test_a_helper_cannot_reach_tools() -> None:
    source = skill(after="\n\ndef _peek(x: str) -> Any:\n    return tools.get(x=x)\n")
    assert "SK112" in check(source, policy=HELPERS).codes


def test_extra_builtins_extend_the_allow_list() -> None:
    source = skill("    print(order_id)\n" + BODY)
    assert "SK112" in check(source).codes
    source = skill("    ascii(1)\n" + BODY)
    assert "SK112" in check(source).codes
    assert check(source, policy=CheckPolicy(extra_builtins=frozenset({"ascii"}))).ok


def test_report_to_json_has_the_documented_keys() -> None:
    document = check(skill("    eval(order_id)\n" + BODY)).to_json()
    assert set(document) == {"ok", "findings", "tools_called"}
    assert document["ok"] is False
    assert {"code", "message", "line", "column", "hint"} <= set(document["findings"][0])


def test_policy_rejects_non_positive_budgets_and_coerces_name_sets() -> None:
    with pytest.raises(ValueError, match="max_lines"):
        CheckPolicy(max_lines=0)
    policy = CheckPolicy(granted_tools={"a"})  # type: ignore[arg-type]
    assert policy.granted_tools == frozenset({"a"})
    with pytest.raises(TypeError):
        CheckPolicy(granted_tools="abc")  # type: ignore[arg-type]

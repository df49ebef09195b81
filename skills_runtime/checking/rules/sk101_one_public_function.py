"""SK101: a skill module defines exactly one public function (helpers only if the policy allows)."""

from __future__ import annotations

from collections.abc import Iterator

from skills_runtime.checking.context import RuleContext
from skills_runtime.checking.report import Finding
from skills_runtime.checking.rule import Rule

__all__ = ["RULE"]

CODE = "SK101"


def _check(ctx: RuleContext) -> Iterator[Finding]:
    public = ctx.public_functions
    if not public:
        yield ctx.finding(
            CODE,
            ctx.module,
            "the module defines no public function",
            hint="define one function whose first parameter is `tools`",
        )
    for extra in public[1:]:
        yield ctx.finding(
            CODE,
            extra,
            f"a second public function {extra.name.value!r}; a skill module defines exactly one "
            f"(the first is {public[0].name.value!r})",
            hint="split it into its own skill, or fold it into the first function",
        )
    helpers = ctx.helper_names
    for function in ctx.functions:
        name = function.name.value
        if name.startswith("_") and name not in helpers:
            yield ctx.finding(
                CODE,
                function,
                f"helper function {name!r} is not allowed by the policy",
                hint="inline it into the public function, or check with allow_helpers=True "
                "(helpers need a single leading underscore)",
            )


RULE = Rule(CODE, "exactly one public function per module; helpers only if allowed", _check)

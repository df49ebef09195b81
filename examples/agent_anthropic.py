"""An agent loop with the Anthropic SDK whose tools are the registry's promoted skills.

Each ``tool_use`` block is answered with a ``tool_result`` block (``is_error`` set when the skill
was called wrongly, raised or hit a limit, with the reason in the content). Works against any
Anthropic-compatible endpoint::

    pip install anthropic
    skillbank demo                      # promotes skills into skillbank-demo/skillbank-demo.db
    export SKILLBANK_DB=skillbank-demo/skillbank-demo.db
    export ANTHROPIC_API_KEY=...        # and ANTHROPIC_BASE_URL=... for another endpoint
    python -m examples.agent_anthropic "Cancel order BK-10106 (ada.moreau90@example.com)"

Options: ``--model`` (or ``$SKILLBANK_MODEL``), ``--db`` (or ``$SKILLBANK_DB``), ``--strict``
(strict tool schemas), ``--meta`` (two meta-tools instead of every skill). Run from the
repository root.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from skill_registry import Registry, RegistryNotFound
from skills_runtime.toolkit import Toolkit

SYSTEM = (
    "You help customers of a bookshop. Your tools are tested skills: each does a whole "
    "procedure in one call. If a tool result is an error, read it and fix your arguments."
)


def run(
    client: Any, toolkit: Toolkit, task: str, *, model: str, strict: bool, meta: bool, turns: int
) -> str:
    """Messages API loop: answer tool_use blocks until the model stops asking for tools."""
    tools = (
        toolkit.meta_tools("anthropic", strict=strict)
        if meta
        else toolkit.anthropic_tools(strict=strict)
    )
    messages: list[Any] = [{"role": "user", "content": task}]
    for _ in range(turns):
        response = client.messages.create(
            model=model, max_tokens=1024, system=SYSTEM, tools=tools, messages=messages
        )
        messages.append(
            {
                "role": "assistant",
                "content": [b.model_dump(exclude_none=True) for b in response.content],
            }
        )
        uses = [block for block in response.content if block.type == "tool_use"]
        if not uses:
            return "".join(block.text for block in response.content if block.type == "text")
        results = []
        for block in uses:
            answer = toolkit.handle_anthropic_tool_use(block)
            print(f"-> {block.name}: {answer['content'][:200]}", file=sys.stderr)
            results.append(answer)
        messages.append({"role": "user", "content": results})
    return "(no final answer within the turn budget)"


_FIRST = (
    "run `skillbank demo` and pass --db skillbank-demo/skillbank-demo.db, or learn and "
    "promote skills into this registry as the README's tour does"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("task", help="What the customer wants, in plain words.")
    parser.add_argument("--model", default=os.environ.get("SKILLBANK_MODEL", "claude-sonnet-4-5"))
    parser.add_argument("--db", default=os.environ.get("SKILLBANK_DB", "skillbank.db"))
    parser.add_argument("--strict", action="store_true", help="Strict tool schemas.")
    parser.add_argument("--meta", action="store_true", help="search_skills + run_skill only.")
    parser.add_argument("--turns", type=int, default=8)
    options = parser.parse_args(argv)
    try:
        from anthropic import Anthropic
    except ImportError:
        print("this example needs the Anthropic SDK: pip install anthropic", file=sys.stderr)
        return 2
    from examples.bookshop.tools import toolset

    try:
        registry = Registry.open(options.db)
    except RegistryNotFound as error:
        print(f"{str(error).split(';')[0]}; {_FIRST}", file=sys.stderr)
        return 2
    with registry:
        toolkit = Toolkit(registry, toolset)
        if not toolkit.skills():
            print(f"no promoted skills in {options.db!r}; {_FIRST}", file=sys.stderr)
            return 2
        answer = run(
            Anthropic(),
            toolkit,
            options.task,
            model=options.model,
            strict=options.strict,
            meta=options.meta,
            turns=options.turns,
        )
    print(json.dumps({"answer": answer}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

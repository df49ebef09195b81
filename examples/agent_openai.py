"""An agent loop with the OpenAI SDK whose tools are the registry's promoted skills.

Each skill call runs in the sandbox with the bookshop's tools, is validated before it runs, and
comes back as a tool message (errors included, so the model can correct itself). Works against
any OpenAI-compatible endpoint::

    pip install openai
    skillbank demo                      # promotes skills into skillbank-demo/skillbank-demo.db
    export SKILLBANK_DB=skillbank-demo/skillbank-demo.db
    export OPENAI_API_KEY=...           # and OPENAI_BASE_URL=... for another endpoint
    python -m examples.agent_openai "Cancel order BK-10106 (ada.moreau90@example.com)"

Options: ``--model`` (or ``$SKILLBANK_MODEL``), ``--db`` (or ``$SKILLBANK_DB``), ``--strict``
(OpenAI strict schemas), ``--meta`` (two meta-tools instead of every skill: for large libraries),
``--responses`` (the Responses API instead of Chat Completions). Run from the repository root.
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


def run_chat(
    client: Any, toolkit: Toolkit, task: str, *, model: str, strict: bool, meta: bool, turns: int
) -> str:
    """Chat Completions loop: call tools until the model answers in text."""
    tools = (
        toolkit.meta_tools("openai", strict=strict) if meta else toolkit.openai_tools(strict=strict)
    )
    messages: list[Any] = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": task},
    ]
    for _ in range(turns):
        response = client.chat.completions.create(model=model, messages=messages, tools=tools)
        message = response.choices[0].message
        messages.append(message.model_dump(exclude_none=True))
        if not message.tool_calls:
            return str(message.content or "")
        for call in message.tool_calls:
            answer = toolkit.handle_openai_tool_call(call)
            print(f"-> {call.function.name}: {answer['content'][:200]}", file=sys.stderr)
            messages.append(answer)
    return "(no final answer within the turn budget)"


def run_responses(
    client: Any, toolkit: Toolkit, task: str, *, model: str, strict: bool, meta: bool, turns: int
) -> str:
    """Responses API loop: feed function_call_output items back until there are no calls."""
    tools = (
        toolkit.meta_tools("openai-responses", strict=strict)
        if meta
        else toolkit.responses_tools(strict=strict)
    )
    items: list[Any] = [{"role": "user", "content": task}]
    for _ in range(turns):
        response = client.responses.create(
            model=model, instructions=SYSTEM, input=items, tools=tools
        )
        calls = [item for item in response.output if item.type == "function_call"]
        if not calls:
            return str(response.output_text)
        items.extend(item.model_dump(exclude_none=True) for item in response.output)
        for call in calls:
            answer = toolkit.handle_responses_call(call)
            print(f"-> {call.name}: {answer['output'][:200]}", file=sys.stderr)
            items.append(answer)
    return "(no final answer within the turn budget)"


_FIRST = (
    "run `skillbank demo` and pass --db skillbank-demo/skillbank-demo.db, or learn and "
    "promote skills into this registry as the README's tour does"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("task", help="What the customer wants, in plain words.")
    parser.add_argument("--model", default=os.environ.get("SKILLBANK_MODEL", "gpt-4.1-mini"))
    parser.add_argument("--db", default=os.environ.get("SKILLBANK_DB", "skillbank.db"))
    parser.add_argument("--strict", action="store_true", help="OpenAI strict schemas.")
    parser.add_argument("--meta", action="store_true", help="search_skills + run_skill only.")
    parser.add_argument("--responses", action="store_true", help="Use the Responses API.")
    parser.add_argument("--turns", type=int, default=8)
    options = parser.parse_args(argv)
    try:
        from openai import OpenAI
    except ImportError:
        print("this example needs the OpenAI SDK: pip install openai", file=sys.stderr)
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
        loop = run_responses if options.responses else run_chat
        answer = loop(
            OpenAI(),
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

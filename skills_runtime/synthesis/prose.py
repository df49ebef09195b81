"""Prose: the words of a skill — its summary line, what it does, its guards, what it returns.

Reviewers read a skill's docstring before its code, so every sentence is built from the plan and
the tool schemas, never from a template with slots left raw. The summary is one imperative line
of at most ``SUMMARY_WIDTH`` characters: the first sentence of the write tool's description (or,
without one, words from the tool's name), qualified by how the skill finds its customer
(``... for a user found by email``) when that fits, and cut at a clause boundary when it does
not; a cut sentence is then given whole in the body. Guard messages and guard sentences follow
the guard's kind: ``order does not belong to this customer``,
``order status is 'cancelled', expected 'pending'``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from skills_runtime.synthesis.naming import noun_of
from skills_runtime.synthesis.plan import (
    CallStep,
    Choice,
    Const,
    Expr,
    Guard,
    Loop,
    ParamRef,
    Plan,
    Required,
    ResultRef,
)

__all__ = [
    "SUMMARY_WIDTH",
    "Summary",
    "distinguish",
    "does",
    "expected_sentence",
    "give_message",
    "guard_message",
    "guards_sentence",
    "required_message",
    "returns",
    "summarize",
    "summarize_steps",
]

SUMMARY_WIDTH = 80
"""The longest summary line, full stop included."""

# Where a description's first sentence may be cut and still say what the skill does.
_CUTS = ("; ", ", ", " and ", " to ", " for ", " with ", " so that ", " then ", " by ")

Summary = tuple[str, str]
"""The summary line and, when it had to shorten the write's description, the whole sentence."""

Part = str | Expr
"""A piece of a guard message: literal text, or an expression shown with ``!r``."""


def _article(noun: str) -> str:
    word = noun.lower()
    # "a user", "a unique": a "u" sounding like "you" takes "a".
    you = re.match(r"u[bcdfghjklmnpqrstvwxz][aeiou]", word) is not None
    return "an" if word[:1] in "aeio" or (word[:1] == "u" and not you) else "a"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _first_sentence(description: str) -> str:
    text = " ".join(description.split())
    return text.split(". ")[0].rstrip(".").strip()


def _from_name(write: str, object_noun: str) -> str:
    """``return_items`` about an order → ``Return items of an order``."""
    words = [w for w in write.split("_") if w]
    if not words:
        return "Run the procedure"
    verb, rest = words[0].capitalize(), words[1:]
    noun_words = object_noun.split()
    if not object_noun:
        return " ".join([verb, *rest])
    if noun_words and noun_words[-1] in rest:
        return " ".join([verb, _article(rest[0]), *rest]) if rest else verb
    thing = " ".join(rest) if rest else ""
    about = f"{_article(object_noun)} {object_noun}"
    return f"{verb} {thing} of {about}" if thing else f"{verb} {about}"


def _lookup(reads: Sequence[str]) -> tuple[str, str] | None:
    """``find_user_id_by_name_zip`` → (``user``, ``name and zip``): who is found, and by what.

    Lookups of the same entity in other ways (alternative branches of one skill) join the
    criteria: ``email or name and zip``.
    """
    found: dict[str, list[str]] = {}
    for tool in reads:
        if "_by_" not in tool:
            continue
        who, by = tool.split("_by_", 1)
        entity = noun_of(who)
        entity = entity[: -len("_id")] if entity.endswith("_id") else entity
        words = [w for w in by.split("_") if w]
        criteria = " and ".join(words) if len(words) == 2 else " ".join(words)
        if entity and criteria:
            found.setdefault(entity.replace("_", " "), []).append(criteria)
    if not found:
        return None
    entity, ways = next(iter(found.items()))
    return entity, " or ".join(dict.fromkeys(ways))


def _qualified(sentence: str, entity: str, criteria: str) -> str:
    found = f"{entity} found by {criteria}"
    mention = re.search(rf"\b(a|an|the) {re.escape(entity)}(?![\w'])", sentence)
    if mention is not None:
        return sentence[: mention.end()] + f" found by {criteria}" + sentence[mention.end() :]
    return f"{sentence} for {_article(entity)} {found}"


def _cuts(sentence: str) -> list[str]:
    """Prefixes of ``sentence`` ending before a clause boundary, shortest first.

    The first clause is the action itself (``Cancel a pending order``); a longer prefix tends to
    end mid-thought (``... and refund it``), and the whole sentence goes to the body anyway.
    """
    found = {
        sentence[: m.start()]
        for cut in _CUTS
        for m in re.finditer(re.escape(cut), sentence)
        if len(sentence[: m.start()].split()) >= 3
    }
    return sorted(found, key=lambda prefix: (len(prefix), prefix))


def summarize(
    write: str, description: str, *, reads: Sequence[str] = (), object_noun: str = ""
) -> Summary:
    """The summary line of a skill whose write is ``write``.

    Args:
        write: The write tool's name.
        description: The write tool's description (may be empty).
        reads: The read tools the skill calls, in order (a ``*_by_*`` lookup qualifies it).
        object_noun: What the write acts on, in words (``order``), for a summary from the name.

    Returns:
        The line (a sentence of at most ``SUMMARY_WIDTH`` characters) and the description's whole
        first sentence when the line shortened it, else ``""``.
    """
    sentence = _first_sentence(description)
    lookup = _lookup(reads)
    bases = [sentence, *_cuts(sentence)] if sentence else []
    bases.append(_from_name(write, object_noun))
    tries = [(_qualified(base, *lookup), base) for base in bases] if lookup else []
    tries += [(base, base) for base in bases]
    fallback = (bases[-1][: SUMMARY_WIDTH - 1], bases[-1])
    line, base = next((t for t in tries if len(t[0]) + 1 <= SUMMARY_WIDTH), fallback)
    whole = _capital(sentence) + "." if sentence and base != sentence else ""
    return _capital(line) + ".", whole


def summarize_steps(steps: Sequence[tuple[str, str]]) -> Summary:
    """The summary line of a procedure of several writes: ``Create a directory, then move ...``.

    Args:
        steps: Each write in order, as ``(tool name, tool description)``.

    Returns:
        The line (at most ``SUMMARY_WIDTH`` characters, each step cut to its first clause or
        named from its tool when the whole sentences do not fit) and the whole sentences joined
        when the line shortened them, else ``""``.
    """
    sentences = [_first_sentence(description) for _, description in steps]
    options = []
    for (tool, _), sentence in zip(steps, sentences, strict=True):
        cuts = sorted(_cuts(sentence), key=len, reverse=True) if sentence else []
        options.append([*([sentence] if sentence else []), *cuts, _from_name(tool, "")])
    chosen = [0] * len(options)

    def joined() -> str:
        parts = [options[k][c] for k, c in enumerate(chosen)]
        return ", then ".join(_lower_first(p) if k else p for k, p in enumerate(parts))

    # Shorten the longest step first, one step at a time, until the line fits.
    while len(joined()) + 1 > SUMMARY_WIDTH:
        shorter = [k for k, c in enumerate(chosen) if c + 1 < len(options[k])]
        if not shorter:
            break
        longest = max(shorter, key=lambda k: (len(options[k][chosen[k]]), -k))
        chosen[longest] += 1
    line = joined()[: SUMMARY_WIDTH - 1]
    whole = ", then ".join(_lower_first(p) if k else p for k, p in enumerate(sentences) if p)
    return _capital(line) + ".", (_capital(whole) + "." if whole and line != whole else "")


def _lower_first(text: str) -> str:
    """``Move a file`` → ``move a file``; an acronym or a name (``MCP``, ``cd``) stays."""
    head = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if head[1:].islower() or len(head) == 1 else text


def distinguish(summary: str, qualifier: str) -> str:
    """``Copy a file.`` told apart from another skill's identical line: ``Copy a file (checked).``
    — the line cut back to its first clause first when the qualifier would not fit."""
    body = summary.rstrip(".")
    boundaries = (" (", ", ", "; ", ": ")
    shorter = [body[:k] for k in range(len(body)) if body.startswith(boundaries, k)]
    for base in [body, *sorted(shorter, key=len, reverse=True), *_cuts(body)]:
        line = f"{base} ({qualifier})."
        if len(line) <= SUMMARY_WIDTH and len(base.split()) >= 2:
            return line
    room = SUMMARY_WIDTH - len(f" ({qualifier}).")
    words = body[:room].rsplit(" ", 1)[0] if room > 10 else body[:10]
    return f"{words} ({qualifier})."[: SUMMARY_WIDTH - 1].rstrip(".") + "."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _code(expr: Expr) -> str:
    if isinstance(expr, ParamRef):
        return expr.name
    if isinstance(expr, Const):
        return repr(expr.value)
    text = expr.var
    for part in expr.path:
        text += f"[{part}]" if isinstance(part, int) else f'["{part}"]'
    return text


def _loop(loop: Loop) -> str:
    element = loop.var.removeprefix("each_")
    text = f"calls {loop.call.tool} for every {element} in {_code(loop.source)}"
    if loop.where is not None:
        path, within = loop.where
        field = ".".join(str(part) for part in path)
        text += f" whose {field} is in {_code(within)}"
    return text


def does(plan: Plan) -> str:
    """What the skill calls, in words: ``Looks up A and B, then calls W.``"""
    ways = [s for s in plan.body if isinstance(s, Choice)]
    if ways:
        rest = replace(plan, body=tuple(s for s in plan.body if not isinstance(s, Choice)))
        then = does(rest).replace(" directly, with no lookups.", ".")
        return f"{_ways(ways[0])} Then {then[:1].lower()}{then[1:]}"
    reads = list(
        dict.fromkeys(s.tool for s in plan.body if isinstance(s, CallStep) and not s.is_write)
    )
    loops = [_loop(s) for s in plan.body if isinstance(s, Loop)]
    moves = [c.tool for c in plan.calls if c.context]
    writes = list(plan.changes) or [plan.final_tool]
    reads = [tool for tool in reads if tool not in writes]
    steps = ([f"first calls {_and(moves)}"] if moves else []) + (
        [f"looks up {_and(reads)}"] if reads else []
    )
    steps += loops
    if not steps:
        return f"Calls {_and(writes)} directly, with no lookups."
    text = ", ".join(steps) + f", then calls {_and(writes)}."
    return text[:1].upper() + text[1:]


def _ways(choice: Choice) -> str:
    """``With email, it first calls A; with first_name, last_name and zip, B; else nothing.``"""
    parts = []
    for branch in choice.branches:
        tools = _and(list(dict.fromkeys(s.tool for s in branch.body if isinstance(s, CallStep))))
        if branch.when:
            parts.append(f"with {_and(list(branch.when))} given, it first calls {tools}")
        else:
            parts.append(f"otherwise it first calls {tools}")
    if choice.stop:
        parts.append("with none of them given, it stops with SkillPrecondition before any call")
    elif choice.branches[-1].when:
        parts.append("with none of them given, it calls nothing first")
    text = "; ".join(parts) + "."
    return text[:1].upper() + text[1:]


def give_message(ways: Sequence[Sequence[str]], *, value: str = "") -> str:
    """How to call a skill so it can go on: ``give email, or first_name, last_name and zip``;
    with ``value``, ``give user_id, or email to find it``."""
    named = [_and(list(way)) for way in ways if way]
    if not value:
        return "give " + ", or ".join(named)
    return f"give {value}" + (f", or {' or '.join(named)} to find it" if named else "")


def required_message(step: Required) -> str:
    """``give user_id, or first_name, last_name and zip to find it``."""
    return give_message(step.ways, value=step.param)


def _field(guard: Guard) -> str:
    return str(guard.subject.path[-1]).replace("_", " ")


def _clause(guard: Guard, *, same_noun: bool) -> str:
    whose = "its" if same_noun else f"the {guard.noun}'s"
    if guard.kind == "owner":
        who = "it" if same_noun else f"the {guard.noun}"
        if isinstance(guard.expected, ResultRef):
            return f"{who} does not belong to the {guard.other} found"
        return f"{who} does not belong to the given {guard.other}"
    if guard.kind == "value":
        return f"{whose} {_field(guard)} is not {_code(guard.expected)}"
    given = "found" if isinstance(guard.expected, ResultRef) else "given"
    return f"{whose} {_field(guard)} is not the {guard.other} {given}"


def guards_sentence(guards: Sequence[Guard]) -> str:
    """``Before writing, stops with SkillPrecondition if the order ..., or its status ...``."""
    guards = [g for k, g in enumerate(guards) if g not in guards[:k]]  # branches repeat checks
    clauses = [
        _clause(guard, same_noun=k > 0 and guards[k - 1].noun == guard.noun)
        for k, guard in enumerate(guards)
    ]
    if not clauses:
        return ""
    joined = clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + ", or " + clauses[-1]
    lessons = [guard.lesson for guard in guards if guard.lesson]
    taught = f" A recorded call that went ahead anyway failed with: {lessons[0]}" if lessons else ""
    return f"Before writing, stops with SkillPrecondition if {joined}.{taught}"


def guard_message(guard: Guard) -> tuple[Part, ...]:
    """The runtime message: text pieces and the values shown with ``!r``."""
    if guard.kind == "owner":
        return (f"{guard.noun} does not belong to this {guard.other}",)
    shown = (
        f", expected {_code(guard.expected)}"
        if isinstance(guard.expected, Const)
        else ", expected "
    )
    head: tuple[Part, ...] = (f"{guard.noun} {_field(guard)} is ", guard.subject, shown)
    return head if isinstance(guard.expected, Const) else (*head, guard.expected)


def expected_sentence(plan: Plan) -> str:
    """Which reads the recorded runs made that the skill leaves to its caller."""
    if not plan.expected_reads:
        return ""
    return (
        f"It does not call {_and(list(plan.expected_reads))}: the recorded runs did so only to "
        "choose what to ask for, so the caller is expected to have done it."
    )


def returns(plan: Plan) -> str:
    """The ``Returns:`` text: ``The updated order, as cancel_order returns it.``"""
    write = plan.final_tool
    if plan.answer is not None:
        kind, path = plan.answer
        where = " ".join(str(part).replace("_", " ") for part in path)
        if kind == "count":
            return f"How many {where or 'entries'} {write} lists."
        return f"The {where} that {write} answers." if where else f"What {write} answers."
    if plan.returned_noun:
        return f"The updated {plan.returned_noun}, as {write} returns it."
    return f"What {write} returns."

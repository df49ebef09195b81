"""Names: skills from their write tools and entry lookups, variables from tool names.

``find_user_id_by_name_zip`` answers a ``user_id``; ``get_order_details`` answers an ``order``. A
skill is named after its write (``exchange_delivered_order_items``), qualified by how it finds
its entity (``..._by_name_zip``) and kept apart from tool names and from ``taken`` names.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterable

from skills_runtime.effects.lexicon import READ_VERBS, WRITE_VERBS

__all__ = ["element_name", "noun_of", "skill_name", "unique"]

_VERB_PREFIXES = ("get_", "find_", "list_", "fetch_", "lookup_", "search_", "read_")
_NOUN_SUFFIXES = ("_details", "_info", "_information")


def noun_of(tool: str) -> str:
    """The noun a tool answers: ``get_order_details`` → ``order``, ``create_ticket`` →
    ``ticket``."""
    noun = tool
    for prefix in _VERB_PREFIXES:
        if noun.startswith(prefix) and len(noun) > len(prefix):
            noun = noun[len(prefix) :]
            break
    else:
        verb, _, rest = noun.partition("_")
        if rest and (verb in WRITE_VERBS or verb in READ_VERBS):
            noun = rest
    if "_by_" in noun:
        noun = noun.split("_by_", 1)[0]
    for suffix in _NOUN_SUFFIXES:
        if noun.endswith(suffix) and len(noun) > len(suffix):
            noun = noun[: -len(suffix)]
    return noun if noun.isidentifier() and not keyword.iskeyword(noun) else f"{noun}_value"


def element_name(arg: str, source_path: tuple[str | int, ...], field: tuple[str | int, ...]) -> str:
    """The loop variable: the argument it feeds for a list of ids (``order_id``), else the
    singular of the list's name (``items`` → ``item``)."""
    if not field:
        return arg
    last = str(source_path[-1]) if source_path else "element"
    if last.endswith("s") and len(last) > 3:
        return last[:-1]
    return f"{last}_entry"


def unique(base: str, taken: Iterable[str]) -> str:
    """``base``, or ``base_2``, ``base_3``... whichever is not taken yet."""
    used = set(taken)
    if not base.isidentifier() or keyword.iskeyword(base):
        base = f"{base}_value" if base.isidentifier() else "value"
    if base not in used:
        return base
    k = 2
    while f"{base}_{k}" in used:
        k += 1
    return f"{base}_{k}"


def skill_name(
    write_tools: tuple[str, ...],
    read_tools: tuple[str, ...],
    *,
    taken: Iterable[str],
    each: tuple[str, ...] = (),
    after: tuple[str, ...] = (),
    ways: tuple[str, ...] = (),
) -> str:
    """A name for a skill: its writes, then how it finds its entity, never a taken name.

    ``exchange_delivered_order_items`` after ``find_user_id_by_name_zip`` becomes
    ``exchange_delivered_order_items_by_name_zip``; with no lookup it gets ``_checked`` when it
    reads before writing, ``_only`` when it is the bare write; tools it calls in loops (``each``)
    add ``_each_<noun>`` (``..._each_product``); a call made first only to set where the skill
    acts (``after``: a ``cd`` nothing reads) adds ``_after_cd``. A procedure that writes nothing is
    named after what it looks up last: ``look_up_user_by_name_zip``. A skill with alternative ways
    to find its entity (``ways``: the ``*_by_*`` lookups of its branches) says them all:
    ``cancel_pending_order_by_email_or_name_zip``.
    """
    answers = not write_tools
    if answers:  # a procedure that only answers: named after what it looks up last
        base = f"look_up_{noun_of(read_tools[-1])}" if read_tools else "procedure"
        earlier = read_tools[:-1]
    else:
        base = "_then_".join(dict.fromkeys(write_tools))
        earlier = read_tools
    lookups = [tool.split("_by_", 1)[1] for tool in earlier if "_by_" in tool]
    if ways:
        base = f"{base}_by_{'_or_'.join(dict.fromkeys(ways))}"
    elif lookups:
        base = f"{base}_by_{lookups[0]}"
    elif answers:
        pass
    elif read_tools:
        base = f"{base}_checked"
    else:
        base = f"{base}_only"
    if after:  # where it acts was set first (cd): ``mv_after_cd``, not another ``mv_only``
        base = base.removesuffix("_only") + "_after_" + "_".join(dict.fromkeys(after))
    if each:
        base = f"{base}_each_{'_'.join(dict.fromkeys(noun_of(tool) for tool in each))}"
    return unique(base, set(taken) | set(write_tools) | set(read_tools) | set(each))

"""What a tool's name, description and parameters say about its effect, as weighed evidence.

Tool names are written in every convention (``get_order``, ``getOrder``, ``orders.list``,
``message_login``, ``trading_get_login_status``): a name is split into words and the first word
that is a known verb decides what the name says. The verbs are ordinary English of software
interfaces (CRUD, files, messaging, commerce, devices), not the vocabulary of any one domain;
words that are both a noun and a verb and decide nothing (``message``, ``order``, ``return`` as
a noun) are left out or read only in the verb position.

The description's first sentence is read the same way (``"Get the status of ..."``), and a few
explicit phrases count (``read-only``, ``does not modify``). Parameters give weak hints: free text
to store (``content``, ``body``, ``message``) leans write, paging and filtering (``limit``,
``query``) lean read.

A *context* tool changes what later calls see without changing the data: moving into a directory,
logging in, selecting an account. A *handoff* passes the conversation to someone else (the
``transfer_to_<agent>`` tools of agent frameworks): it changes who acts, not the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from skills_runtime.effects.model import Effect, Evidence

__all__ = [
    "CONTEXT_WORDS",
    "READ_VERBS",
    "WRITE_VERBS",
    "description_evidence",
    "is_context_tool",
    "is_handoff",
    "name_evidence",
    "parameter_evidence",
    "words",
]


def _vocabulary(text: str) -> frozenset[str]:
    return frozenset(text.split())


READ_VERBS = _vocabulary(
    """
    get gets list lists find finds search searches lookup look fetch fetches read reads show
    shows view views describe describes query queries check checks count counts calculate
    calculates compute computes estimate estimates preview inspect retrieve retrieves browse
    explore display displays stat ls pwd cat grep head tail diff du wc whoami which where
    locate scan peek poll watch validate verify convert converts translate summarize
    summarise analyze analyse compare evaluate measure test ping recommend suggest predict
    forecast filter sort sorts detect identify match parse render format quote price
    download export print
    """
)
"""Verbs whose tools answer questions about the state without changing it."""

WRITE_VERBS = _vocabulary(
    """
    create creates add adds insert inserts new make makes mkdir touch write writes append
    put post update updates modify modifies edit edits change changes set sets rename
    renames move moves mv cp copy copies delete deletes remove removes rm rmdir del drop
    drops cancel cancels close closes reopen archive unarchive restore restores book books
    reserve reserves purchase purchases buy buys sell sells pay pays refund refunds return
    returns exchange exchanges send sends reply replies forward submit submits approve
    approves reject rejects decline assign assigns unassign merge merges split start starts
    stop stops enable enables disable disables lock locks unlock unlocks register registers
    unregister subscribe unsubscribe upload uploads publish publishes unpublish schedule
    schedules reschedule invite invites share shares unshare grant grants revoke revokes
    apply applies charge charges deposit deposits withdraw withdraws place places fill fills
    release releases reset resets clear clears mark marks tag tags untag label flag link
    unlink attach attaches detach like unlike follow unfollow comment comments notify
    notifies transfer transfers press presses push pull commit deploy install uninstall kill
    terminate launch run execute trigger activate deactivate adjust adjusts increase
    decrease raise lower enroll fund upvote downvote rate review vote confirm confirms
    accept accepts claim claims redeem redeems order orders save saves store stores record
    records log mute unmute block unblock ban unban pin unpin star unstar favorite favourite
    bookmark shut turn toggle dispatch ship escalate escalates
    """
)
"""Verbs whose tools change something: records, files, messages, money, devices."""

CONTEXT_WORDS = _vocabulary(
    """
    cd chdir pushd popd login logon signin authenticate auth connect switch select use
    checkout enter
    """
)
"""Verbs of tools that set what later calls act on (a directory, a session, an account)."""

_CONTEXT_PHRASES = (
    "current directory",
    "working directory",
    "current working",
    "log in",
    "logs in",
    "log into",
    "sign in",
    "signs in",
    "authenticate",
    "session",
    "switch to",
    "switches to",
    "change to the",
    "changes the current",
)
_HANDOFF_WORDS = _vocabulary(
    """
    agent agents human humans operator representative support staff
    """
)
_READ_PHRASES = (
    "read-only",
    "read only",
    "does not modify",
    "does not change",
    "doesn't modify",
    "doesn't change",
    "without modifying",
    "without changing",
    "no side effect",
    "side-effect free",
    "has no effect",
)
_WRITE_PARAMETERS = _vocabulary(
    """
    content body text message comment note reason summary description new_value value data
    payload amount quantity title
    """
)
_READ_PARAMETERS = _vocabulary(
    """
    query q filter filters limit offset page page_size per_page cursor sort order_by fields
    start_date end_date since until
    """
)

_AMBIGUOUS = _vocabulary(
    """
    order orders return returns log record records store stores test review rate price quote
    sort sorts filter format match set sets book books place fill label tag flag link
    comment comments like star pin block turn ship transfer view views show shows display
    count counts search post note watch fund run diff head tail stat print export download
    charge release split lock mark register share
    """
)
"""Words that are nouns as often as verbs: they decide only as a name's first word."""


def _kind(ch: str) -> str:
    if ch.isdigit():
        return "digit"
    if ch.isupper():
        return "upper"
    return "lower" if ch.isalpha() else ""


def words(name: str) -> list[str]:
    """A tool or parameter name as lowercase words: ``getHTTPOrder_details`` → get, http, order,
    details. One pass over the characters (names come from untrusted recordings)."""
    found: list[str] = []
    current = ""
    for index, ch in enumerate(name):
        kind = _kind(ch)
        if not kind:
            if current:
                found.append(current)
            current = ""
            continue
        if current:
            previous = _kind(current[-1])
            following = _kind(name[index + 1]) if index + 1 < len(name) else ""
            boundary = (
                (kind == "digit") != (previous == "digit")
                or (kind == "upper" and previous == "lower")
                or (kind == "upper" and previous == "upper" and following == "lower")
            )
            if boundary:
                found.append(current)
                current = ""
        current += ch
    if current:
        found.append(current)
    return [word.lower() for word in found]


def _first_verb(candidates: Iterable[str], *, name: bool = False) -> tuple[str, Effect] | None:
    for position, word in enumerate(candidates):
        if position and word in _AMBIGUOUS:
            continue
        # A name opens with an imperative (``order_pizza``); ``orders.list`` opens with a noun.
        if name and word.endswith("s") and (word[:-1] in WRITE_VERBS or word[:-1] in READ_VERBS):
            continue
        if word in WRITE_VERBS and word not in READ_VERBS:
            return word, Effect.WRITE
        if word in READ_VERBS:
            return word, Effect.READ
    return None


def is_handoff(name: str, description: str) -> bool:
    """Whether a tool hands the conversation over (``transfer_to_human_agents``)."""
    parts = words(name)
    if len(parts) < 3 or parts[0] not in ("transfer", "handoff", "hand") or "to" not in parts:
        return False
    target = set(parts[parts.index("to") + 1 :])
    return bool(target & _HANDOFF_WORDS) or (
        not target and any(w in _HANDOFF_WORDS for w in words(description)[:12])
    )


def is_context_tool(name: str, description: str) -> str | None:
    """Why a tool reads as one that sets context for later calls, or None."""
    parts = words(name)
    for word in parts:
        if word in CONTEXT_WORDS:
            return f"its name has {word!r}, a verb of moving or signing in"
    text = description.lower()
    for phrase in _CONTEXT_PHRASES:
        if phrase in text:
            return f"its description speaks of {phrase!r}"
    return None


def name_evidence(name: str, description: str = "") -> Evidence | None:
    """What the name says (the first known verb), with a weight of 3."""
    if is_handoff(name, description):
        return Evidence(
            "name",
            Effect.READ,
            3.0,
            f"{name!r} hands the conversation over (a handoff): it changes who acts, not data",
        )
    parts = words(name)
    if parts[:1] in (["is"], ["has"], ["can"], ["should"]):
        return Evidence("name", Effect.READ, 3.0, f"{name!r} asks a yes/no question")
    if len(parts) >= 3 and parts[1] == "to" and parts[0] not in WRITE_VERBS:
        # ``gallon_to_liter``, ``celsius_to_fahrenheit``: a conversion, not an action.
        return Evidence("name", Effect.READ, 2.0, f"{name!r} converts one unit into another")
    found = _first_verb(parts, name=True)
    if found is None:
        moving = next((word for word in parts if word in CONTEXT_WORDS), None)
        if moving is None:
            return None
        return Evidence(
            "name",
            Effect.WRITE,
            2.0,
            f"its name's {moving!r} sets what later calls act on (a place or a session)",
        )
    verb, effect = found
    kind = "changes something" if effect is Effect.WRITE else "only looks"
    return Evidence("name", effect, 3.0, f"its name's verb {verb!r} {kind}")


def _first_sentence(text: str) -> str:
    for index, ch in enumerate(text[:-1]):
        if ch in ".!?" and text[index + 1] == " ":
            return text[: index + 1]
    return text


def description_evidence(description: str) -> list[Evidence]:
    """What the description says: an explicit read-only phrase, and its first sentence's verb."""
    found: list[Evidence] = []
    text = " ".join(description.split())
    lowered = text.lower()
    for phrase in _READ_PHRASES:
        if phrase in lowered:
            found.append(Evidence("description", Effect.READ, 4.0, f"it says {phrase!r}"))
            break
    first = _first_sentence(text)
    leading = words(first)[:3]
    # "Returns the ..." describes an answer; "Return items of an order" is an action.
    if leading[:1] in (["returns"], ["gets"], ["retrieves"], ["fetches"], ["lists"]):
        found.append(Evidence("description", Effect.READ, 2.0, f"it opens with {leading[0]!r}"))
        return found
    verb = _first_verb(leading[:1])
    if verb is not None:
        kind = "an action" if verb[1] is Effect.WRITE else "a question"
        found.append(Evidence("description", verb[1], 2.0, f"it opens with {verb[0]!r}, {kind}"))
    return found


def parameter_evidence(parameters: Mapping[str, Any]) -> Evidence | None:
    """A weak hint (weight up to 1) from the names of the parameters."""
    properties = parameters.get("properties")
    if not isinstance(properties, Mapping) or not properties:
        return None
    names = [str(name).lower() for name in properties]
    writes = [n for n in names if n in _WRITE_PARAMETERS or n.startswith("new_")]
    reads = [n for n in names if n in _READ_PARAMETERS]
    if len(writes) > len(reads):
        return Evidence(
            "parameters", Effect.WRITE, 1.0, f"it takes {', '.join(writes)} (data to store)"
        )
    if len(reads) > len(writes):
        return Evidence(
            "parameters", Effect.READ, 1.0, f"it takes {', '.join(reads)} (what to look for)"
        )
    return None

"""The helpdesk's tools, as an agent (or a skill) sees them.

A ticketing service for a support team. ``login`` returns a session token; every other tool takes
it as ``token``, so a run carries state from its first call to the others by value. The same
functions are served over MCP by ``server.py``. Use the toolset as
``--tools examples.helpdesk.tools:toolset`` from the repository root, or in Python::

    from examples.helpdesk.tools import reset, toolset

    reset()                                       # a fresh copy of data.json
    token = toolset.call("login", {"email": "nadia.berg@helpdesk.example"})["token"]
    toolset.call("get_ticket", {"token": token, "ticket_id": "HD-1004"})

Every tool returns fresh JSON and raises ``HelpdeskError`` (a ``ValueError``) with a message that
says what to do instead.
"""

from __future__ import annotations

from typing import Any, Literal

from skills_runtime.tools import Toolset

from .store import Store

__all__ = ["current", "reset", "toolset"]

toolset = Toolset("helpdesk")

_state: dict[str, Store] = {}

Status = Literal["open", "pending", "solved", "closed"]
Priority = Literal["low", "normal", "high", "urgent"]


def reset(data: dict[str, Any] | None = None, *, token_salt: str = "") -> Store:
    """Start over from ``data`` (default: the bundled ``data.json``) and return the new store."""
    if data is None:
        _state["store"] = Store.load(token_salt=token_salt)
    else:
        _state["store"] = Store(data, token_salt=token_salt)
    return _state["store"]


def current() -> Store:
    """The store the tools operate on (loaded on first use)."""
    if "store" not in _state:
        reset()
    return _state["store"]


@toolset.tool
def login(email: str) -> dict[str, Any]:
    """Sign in as a support agent and get a session token for the other tools.

    Args:
        email: The support agent's work email, such as 'nadia.berg@helpdesk.example'.

    Returns:
        The token, the agent's id and name, and how many seconds the token stays valid.
    """
    return current().login(email)


@toolset.tool
def search_tickets(
    token: str,
    query: str = "",
    status: Status | None = None,
    assignee: str | None = None,
    requester: str | None = None,
    limit: int = 20,
) -> dict[str, Any]:
    """Search tickets by text in subject or description, status, assignee and requester.

    Args:
        token: The session token from login.
        query: Words to look for (case-insensitive); empty matches every ticket.
        status: Only tickets with this status.
        assignee: Only tickets assigned to this agent id, such as 'agt_1042'.
        requester: Only tickets from this customer email.
        limit: At most this many tickets in the answer.

    Returns:
        ``tickets`` (summaries, oldest first) and ``total``, the number that matched.
    """
    current().agent_of(token)
    return current().search(query, status, assignee, requester, limit)


@toolset.tool
def get_ticket(token: str, ticket_id: str) -> dict[str, Any]:
    """Get a ticket with its description, status, priority, assignee and comments.

    Args:
        token: The session token from login.
        ticket_id: The ticket id, such as 'HD-1042'.
    """
    current().agent_of(token)
    return current().ticket(ticket_id)


@toolset.tool
def list_agents(token: str, team: str | None = None) -> dict[str, Any]:
    """List the support agents (id, name, email, team).

    Args:
        token: The session token from login.
        team: Only agents of this team ('billing', 'technical' or 'accounts').
    """
    current().agent_of(token)
    return current().agents(team)


@toolset.tool
def create_ticket(
    token: str, subject: str, description: str, requester: str, priority: Priority = "normal"
) -> dict[str, Any]:
    """Open a new ticket on behalf of a customer. It starts unassigned.

    Args:
        token: The session token from login.
        subject: A one-line summary.
        description: What the customer reported.
        requester: The customer's email.
        priority: How urgent it is.

    Returns:
        The new ticket, with its id.
    """
    return current().create(current().agent_of(token), subject, description, requester, priority)


@toolset.tool
def assign_ticket(token: str, ticket_id: str, agent_id: str) -> dict[str, Any]:
    """Assign a ticket to a support agent (replacing any assignee).

    Args:
        token: The session token from login.
        ticket_id: The ticket id, such as 'HD-1042'.
        agent_id: The agent's id, such as 'agt_1042' (see list_agents).
    """
    current().agent_of(token)
    return current().assign(ticket_id, agent_id)


@toolset.tool
def add_comment(token: str, ticket_id: str, body: str, public: bool = True) -> dict[str, Any]:
    """Add a comment to a ticket: a public reply to the customer, or an internal note.

    Args:
        token: The session token from login.
        ticket_id: The ticket id, such as 'HD-1042'.
        body: The comment's text.
        public: False for an internal note the customer does not see.
    """
    return current().comment(current().agent_of(token), ticket_id, body, public)


@toolset.tool
def set_priority(token: str, ticket_id: str, priority: Priority) -> dict[str, Any]:
    """Change a ticket's priority.

    Args:
        token: The session token from login.
        ticket_id: The ticket id, such as 'HD-1042'.
        priority: The new priority.
    """
    current().agent_of(token)
    return current().set_priority(ticket_id, priority)


@toolset.tool
def close_ticket(token: str, ticket_id: str, resolution: str) -> dict[str, Any]:
    """Close a ticket with a short resolution note.

    Args:
        token: The session token from login.
        ticket_id: The ticket id, such as 'HD-1042'.
        resolution: How it was resolved, such as 'fixed in release 4.2' or 'duplicate of HD-1017'.
    """
    current().agent_of(token)
    return current().close(ticket_id, resolution)


@toolset.tool
def reopen_ticket(token: str, ticket_id: str) -> dict[str, Any]:
    """Reopen a closed ticket.

    Args:
        token: The session token from login.
        ticket_id: The ticket id, such as 'HD-1042'.
    """
    current().agent_of(token)
    return current().reopen(ticket_id)


@toolset.tool
def merge_tickets(token: str, source_id: str, target_id: str) -> dict[str, Any]:
    """Merge one ticket into another: the source is closed and noted on the target.

    Args:
        token: The session token from login.
        source_id: The ticket to fold in (it gets closed).
        target_id: The ticket that stays open.

    Returns:
        The target ticket after the merge.
    """
    return current().merge(current().agent_of(token), source_id, target_id)

"""The helpdesk's database and the rules its tools enforce.

Support agents (staff who work tickets) sign in with ``login`` and get a session token that every
other call must carry. Tickets have a requester, a status (``open``, ``pending``, ``solved``,
``closed``), a priority, an assignee and comments. Closed tickets take no comments, assignments or
priority changes until reopened; merging closes the source ticket into the target. Every method
returns fresh JSON values and raises :class:`HelpdeskError` (a ``ValueError``) with a message an
agent can act on.
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["DATA_PATH", "PRIORITIES", "STATUSES", "HelpdeskError", "Store"]

DATA_PATH = Path(__file__).with_name("data.json")
STATUSES = ("open", "pending", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
SESSION_SECONDS = 3600


class HelpdeskError(ValueError):
    """A tool was asked for something the helpdesk cannot do; the message says why."""


class Store:
    """A mutable copy of the helpdesk database.

    Args:
        data: The database (``data.json``'s shape).
        token_salt: Makes session tokens differ between stores, as real random tokens would,
            while staying reproducible.
    """

    def __init__(self, data: dict[str, Any], *, token_salt: str = "") -> None:
        self._data = copy.deepcopy(data)
        self._salt = token_salt
        self._sessions: dict[str, str] = {}
        self._clock = datetime.fromisoformat(self._data["clock"].replace("Z", "+00:00"))

    @classmethod
    def load(cls, path: Path = DATA_PATH, *, token_salt: str = "") -> Store:
        """A fresh store from a JSON file (the bundled ``data.json`` by default)."""
        return cls(json.loads(path.read_text(encoding="utf-8")), token_salt=token_salt)

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of the whole database (sessions are not part of it)."""
        return copy.deepcopy(self._data)

    # -- sessions ----------------------------------------------------------------------------

    def login(self, email: str) -> dict[str, Any]:
        agent = next(
            (a for a in self._data["agents"].values() if a["email"] == email.strip().lower()), None
        )
        if agent is None:
            raise HelpdeskError(f"no support agent has the email {email!r}")
        seed = f"{self._salt}:{agent['id']}:{len(self._sessions)}"
        token = "hd_" + hashlib.sha256(seed.encode()).hexdigest()[:32]
        self._sessions[token] = agent["id"]
        return {
            "token": token,
            "agent_id": agent["id"],
            "name": agent["name"],
            "expires_in": SESSION_SECONDS,
        }

    def agent_of(self, token: str) -> str:
        """The id of the agent signed in with ``token``."""
        agent_id = self._sessions.get(token)
        if agent_id is None:
            raise HelpdeskError("invalid or expired session token; call login to get a new one")
        return agent_id

    # -- reads -------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        status: str | None,
        assignee: str | None,
        requester: str | None,
        limit: int,
    ) -> dict[str, Any]:
        if status is not None and status not in STATUSES:
            raise HelpdeskError(f"status {status!r} is not one of {list(STATUSES)}")
        wanted = query.strip().lower()
        found = [
            t
            for t in self._data["tickets"].values()
            if (not wanted or wanted in (t["subject"] + " " + t["description"]).lower())
            and (status is None or t["status"] == status)
            and (assignee is None or t["assignee"] == assignee)
            and (requester is None or t["requester"] == requester.lower())
        ]
        summaries = [
            {
                key: t[key]
                for key in (
                    "id",
                    "subject",
                    "status",
                    "priority",
                    "assignee",
                    "requester",
                    "updated_at",
                )
            }
            for t in found
        ]
        return {"tickets": summaries[:limit], "total": len(found)}

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        return copy.deepcopy(self._ticket(ticket_id))

    def agents(self, team: str | None) -> dict[str, Any]:
        listed = [a for a in self._data["agents"].values() if team is None or a["team"] == team]
        return {"agents": copy.deepcopy(listed)}

    # -- writes ------------------------------------------------------------------------------

    def create(
        self, author: str, subject: str, description: str, requester: str, priority: str
    ) -> dict[str, Any]:
        if "@" not in requester:
            raise HelpdeskError(f"requester {requester!r} must be the customer's email address")
        if not subject.strip():
            raise HelpdeskError("a ticket needs a subject")
        number = self._data["next_ticket"]
        self._data["next_ticket"] = number + 1
        now = self._tick()
        ticket: dict[str, Any] = {
            "id": f"HD-{number}",
            "subject": subject,
            "description": description,
            "requester": requester.lower(),
            "status": "open",
            "priority": priority,
            "assignee": None,
            "created_by": author,
            "created_at": now,
            "updated_at": now,
            "resolution": None,
            "merged_into": None,
            "comments": [],
        }
        self._data["tickets"][ticket["id"]] = ticket
        return copy.deepcopy(ticket)

    def assign(self, ticket_id: str, agent_id: str) -> dict[str, Any]:
        ticket = self._open_ticket(ticket_id, "assigned")
        if agent_id not in self._data["agents"]:
            raise HelpdeskError(
                f"no agent {agent_id!r}; agent ids look like 'agt_1042' (see list_agents)"
            )
        ticket["assignee"] = agent_id
        return self._touched(ticket)

    def comment(self, author: str, ticket_id: str, body: str, public: bool) -> dict[str, Any]:
        ticket = self._open_ticket(ticket_id, "commented on")
        if not body.strip():
            raise HelpdeskError("a comment needs a body")
        number = self._data["next_comment"]
        self._data["next_comment"] = number + 1
        comment = {
            "id": f"c-{number}",
            "author": author,
            "body": body,
            "public": public,
            "created_at": self._tick(),
        }
        ticket["comments"].append(comment)
        self._touched(ticket)
        return {"ticket_id": ticket["id"], **comment}

    def set_priority(self, ticket_id: str, priority: str) -> dict[str, Any]:
        ticket = self._open_ticket(ticket_id, "re-prioritised")
        ticket["priority"] = priority
        return self._touched(ticket)

    def close(self, ticket_id: str, resolution: str) -> dict[str, Any]:
        ticket = self._ticket(ticket_id)
        if ticket["status"] == "closed":
            raise HelpdeskError(f"ticket {ticket_id} is already closed")
        ticket["status"] = "closed"
        ticket["resolution"] = resolution
        return self._touched(ticket)

    def reopen(self, ticket_id: str) -> dict[str, Any]:
        ticket = self._ticket(ticket_id)
        if ticket["status"] != "closed":
            raise HelpdeskError(f"ticket {ticket_id} is not closed (status: {ticket['status']})")
        if ticket["merged_into"]:
            raise HelpdeskError(
                f"ticket {ticket_id} was merged into {ticket['merged_into']}; work on that one"
            )
        ticket["status"] = "open"
        ticket["resolution"] = None
        return self._touched(ticket)

    def merge(self, author: str, source_id: str, target_id: str) -> dict[str, Any]:
        if source_id == target_id:
            raise HelpdeskError("a ticket cannot be merged into itself")
        source = self._open_ticket(source_id, "merged")
        target = self._open_ticket(target_id, "merged into")
        source.update(status="closed", resolution=f"merged into {target_id}", merged_into=target_id)
        self._touched(source)
        self.comment(author, target_id, f"Merged {source_id}: {source['subject']}", False)
        return copy.deepcopy(target)

    # -- rules -------------------------------------------------------------------------------

    def _ticket(self, ticket_id: str) -> dict[str, Any]:
        ticket = self._data["tickets"].get(ticket_id.strip().upper())
        if ticket is None:
            raise HelpdeskError(f"ticket {ticket_id!r} not found; ticket ids look like 'HD-1042'")
        return ticket  # type: ignore[no-any-return]

    def _open_ticket(self, ticket_id: str, verb: str) -> dict[str, Any]:
        ticket = self._ticket(ticket_id)
        if ticket["status"] == "closed":
            raise HelpdeskError(
                f"ticket {ticket['id']} is closed and cannot be {verb}; reopen it first"
            )
        return ticket

    def _touched(self, ticket: dict[str, Any]) -> dict[str, Any]:
        ticket["updated_at"] = self._tick()
        return copy.deepcopy(ticket)

    def _tick(self) -> str:
        self._clock += timedelta(minutes=1)
        stamp = self._clock.strftime("%Y-%m-%dT%H:%M:%SZ")
        self._data["clock"] = stamp
        return stamp

"""Requests that change tickets: open and assign, close a duplicate, reassign, escalate.

Each ``*_tasks`` function picks values from the seed database and returns :class:`Task` values
whose scripts drive the tools the way a real, imperfect agent does (see ``record.py`` for the kinds
of noise). Every run signs in first; the token it gets is passed to every later call.
"""

from __future__ import annotations

import random
from typing import Any

from examples.agentlog import Episode, Script, Task, plan_noise

__all__ = [
    "Database",
    "close_duplicate_tasks",
    "create_and_assign_tasks",
    "escalate_tasks",
    "mistype",
    "reassign_tasks",
    "sign_in",
]

Database = dict[str, Any]
FIRST = ["kim", "pat", "alex", "noor", "theo"]
LAST = ["lee", "moss", "vance", "hale"]


def mistype(ticket_id: str, rng: random.Random) -> str:
    """A ticket id as a hurried agent types it: a letter O for a zero, or a digit left out."""
    if "0" in ticket_id and rng.random() < 0.5:
        return ticket_id.replace("0", "O", 1)
    position = rng.randrange(4, len(ticket_id))
    return ticket_id[:position] + ticket_id[position + 1 :]


def sign_in(ep: Episode, email: str) -> str:
    """``login`` and the token it returns."""
    return str(ep.call("login", email=email)["token"])


def _agent(db: Database, name: str) -> dict[str, Any]:
    return next(a for a in db["agents"].values() if a["name"] == name)


def _agent_id(listing: dict[str, Any], name: str) -> str:
    return str(next(a["id"] for a in listing["agents"] if a["name"] == name))


def create_and_assign_tasks(rng: random.Random, db: Database, count: int) -> list[Task]:
    """Open a ticket for a customer and assign it: the new id flows into the assignment."""
    reports = [
        ("Invoice PDF will not download", "the invoice download link shows an error page"),
        ("Webhook deliveries failing", "our webhook endpoint has received nothing since 9am"),
        ("Cannot invite new team members", "the invite button is greyed out for our admins"),
        ("Charged twice this month", "there are two identical charges on our card"),
        ("Reports page is blank", "the reports page stays blank in Firefox and Chrome"),
        ("Password reset email never arrives", "nobody in our team gets the reset email"),
    ]
    names = [agent["name"] for agent in db["agents"].values()]
    tasks = []
    noises = plan_noise(
        rng,
        count,
        ["retry_after_error", "fix_up", "unused_read", "duplicate_read"],
        ["wrong_change"],
    )
    for index in range(count):
        operator, assignee = rng.sample(names, k=2)
        subject, report = rng.choice(reports)
        person = f"{rng.choice(FIRST)}.{rng.choice(LAST)}"
        customer = f"{person}@{rng.choice(['zenfold.com', 'lumo.io', 'kitepath.org'])}"
        priority = rng.choice(["normal", "high", "urgent", "low"])
        noise = noises[index]
        said = rng.choice(
            [
                f'New issue from {customer}: {report}. Open a ticket "{subject}" with {priority} '
                f"priority and assign it to {assignee}.",
                f'Please log a {priority}-priority ticket for {customer} ("{subject}": {report}) '
                f"and give it to {assignee}.",
            ]
        )
        wrong = next(n for n in names if n not in (operator, assignee))
        email = _agent(db, operator)["email"]
        tasks.append(
            Task(
                "create_and_assign",
                email,
                said,
                _create_and_assign(
                    email, subject, report, customer, priority, assignee, wrong, noise
                ),
            )
        )
    return tasks


def _create_and_assign(
    operator: str,
    subject: str,
    report: str,
    customer: str,
    priority: str,
    assignee: str,
    wrong: str,
    noise: frozenset[str],
) -> Script:
    def run(ep: Episode) -> None:
        fields = {
            "subject": subject,
            "description": f"Customer reports: {report}.",
            "requester": customer,
            "priority": priority,
        }
        if "fix_up" in noise:  # tries to work before signing in
            ep.call("create_ticket", token="", **fields)
            ep.note("fix_up")
        token = sign_in(ep, operator)
        if "unused_read" in noise:
            ep.call(
                "search_tickets",
                token=token,
                requester=customer,
                say="Checking whether this customer already has a ticket.",
            )
            ep.note("unused_read")
        agents = None
        if "retry_after_error" not in noise:
            agents = ep.call("list_agents", token=token)
            if "duplicate_read" in noise:
                ep.call("list_agents", token=token)
                ep.note("duplicate_read")
        ticket = ep.call("create_ticket", token=token, **fields)
        if agents is None:  # assigns by name first, which the desk refuses
            ep.call("assign_ticket", token=token, ticket_id=ticket["id"], agent_id=assignee)
            agents = ep.call("list_agents", token=token)
            ep.note("retry_after_error")
        chosen = assignee
        if "wrong_change" in noise:
            chosen = wrong
            ep.note("wrong_change")
        ep.call(
            "assign_ticket", token=token, ticket_id=ticket["id"], agent_id=_agent_id(agents, chosen)
        )
        ep.answer(
            f"Opened {ticket['id']} ({priority}) for {customer} and assigned it to {assignee}."
        )

    return run


def close_duplicate_tasks(rng: random.Random, db: Database, count: int) -> list[Task]:
    """Close a duplicate ticket with a note pointing at the original (two writes, linked ids)."""
    by_subject: dict[str, list[str]] = {}
    for ticket in db["tickets"].values():
        if ticket["status"] in ("open", "pending"):
            by_subject.setdefault(ticket["subject"], []).append(ticket["id"])
    pairs = [(ids[0], ids[1]) for ids in by_subject.values() if len(ids) >= 2]
    operators = [agent["email"] for agent in db["agents"].values()]
    tasks = []
    noises = plan_noise(
        rng,
        count,
        ["fix_up", "retry_after_error", "duplicate_read", "detour"],
        ["wrong_change", "gave_up"],
    )
    for index, (original, duplicate) in enumerate(rng.sample(sorted(pairs), k=count)):
        noise = noises[index]
        said = rng.choice(
            [
                f"{duplicate} is a duplicate of {original}. Close it as a duplicate and leave a "
                f"comment on it pointing to {original}.",
                f"Same problem as {original}: please close {duplicate} as a duplicate, with a note "
                "linking the two.",
            ]
        )
        operator = rng.choice(operators)
        tasks.append(
            Task(
                "close_duplicate",
                operator,
                said,
                _close_duplicate(operator, original, duplicate, noise, rng.random() < 0.5, rng),
            )
        )
    return tasks


def _close_duplicate(
    operator: str,
    original: str,
    duplicate: str,
    noise: frozenset[str],
    at_once: bool,
    rng: random.Random,
) -> Script:
    def run(ep: Episode) -> None:
        token = sign_in(ep, operator)
        if "retry_after_error" in noise:
            ep.call("get_ticket", token=token, ticket_id=mistype(duplicate, rng))
            ep.note("retry_after_error")
        if at_once:
            dup, _ = ep.parallel(
                [("get_ticket", {"token": token, "ticket_id": t}) for t in (duplicate, original)]
            )
        else:
            dup = ep.call("get_ticket", token=token, ticket_id=duplicate)
            ep.call("get_ticket", token=token, ticket_id=original)
        if "duplicate_read" in noise:
            ep.call("get_ticket", token=token, ticket_id=duplicate)
            ep.note("duplicate_read")
        if "detour" in noise:
            ep.call("search_tickets", token=token, query=dup["subject"])
            ep.note("detour")
        target = original if "wrong_change" in noise else duplicate
        note = f"Duplicate of {original}; we continue there."
        resolution = f"duplicate of {original}"
        if "fix_up" in noise or "gave_up" in noise:  # closes first; a closed ticket takes no notes
            ep.call("close_ticket", token=token, ticket_id=target, resolution=resolution)
            ep.call("add_comment", token=token, ticket_id=target, body=note)
            if "gave_up" in noise:
                ep.note("gave_up")
                ep.answer(f"I closed {duplicate}, but the desk would not take the comment.")
                return
            ep.call("reopen_ticket", token=token, ticket_id=target)
            ep.note("fix_up")
        ep.call("add_comment", token=token, ticket_id=target, body=note)
        ep.call("close_ticket", token=token, ticket_id=target, resolution=resolution)
        if "wrong_change" in noise:
            ep.note("wrong_change")
        ep.answer(f"Closed {duplicate} as a duplicate of {original} and linked them in a comment.")

    return run


def reassign_tasks(rng: random.Random, db: Database, count: int) -> list[Task]:
    """Reassign every open ticket of one agent to another (a loop of writes over a search)."""
    open_count: dict[str, int] = {}
    for ticket in db["tickets"].values():
        if ticket["status"] == "open" and ticket["assignee"]:
            open_count[ticket["assignee"]] = open_count.get(ticket["assignee"], 0) + 1
    busy = sorted(agent for agent, n in open_count.items() if n >= 2)
    tasks = []
    noises = plan_noise(
        rng,
        count,
        ["retry_after_empty", "duplicate_read", "unused_read"],
        ["wrong_change", "gave_up"],
    )
    for index, agent_id in enumerate(rng.sample(busy, k=count)):
        away = db["agents"][agent_id]
        team = [a for a in db["agents"].values() if a["team"] == away["team"] and a != away]
        cover = rng.choice(team)
        operator = rng.choice([a for a in db["agents"].values() if a not in (away, cover)])
        noise = noises[index]
        said = rng.choice(
            [
                f"{away['name']} is on leave from tomorrow. Move all of their open tickets to "
                f"{cover['name']}.",
                f"Reassign every open ticket of {away['name']} to {cover['name']}, please.",
            ]
        )
        tasks.append(
            Task(
                "reassign_open_tickets",
                operator["email"],
                said,
                _reassign(
                    operator["email"], away["name"], cover["name"], noise, rng.random() < 0.4
                ),
            )
        )
    return tasks


def _reassign(operator: str, away: str, cover: str, noise: frozenset[str], at_once: bool) -> Script:
    def run(ep: Episode) -> None:
        token = sign_in(ep, operator)
        if "retry_after_empty" in noise:  # filters by name; the desk wants an id: no match
            ep.call("search_tickets", token=token, status="open", assignee=away)
            ep.note("retry_after_empty")
        agents = ep.call("list_agents", token=token)
        away_id, cover_id = _agent_id(agents, away), _agent_id(agents, cover)
        status = None if "wrong_change" in noise else "open"
        found = ep.call("search_tickets", token=token, status=status, assignee=away_id)
        if "duplicate_read" in noise:
            ep.call("search_tickets", token=token, status=status, assignee=away_id)
            ep.note("duplicate_read")
        tickets = [t["id"] for t in found["tickets"]]
        if "unused_read" in noise:
            ep.call("get_ticket", token=token, ticket_id=tickets[0])
            ep.note("unused_read")
        if "gave_up" in noise:
            ep.note("gave_up")
            ep.answer(f"{away} has {len(tickets)} tickets. Should I move all of them to {cover}?")
            return
        if status is None:
            ep.note("wrong_change")  # moved every ticket of theirs, not only the open ones
        moves = [
            ("assign_ticket", {"token": token, "ticket_id": t, "agent_id": cover_id})
            for t in tickets
        ]
        if at_once:
            ep.parallel(moves, say=f"Moving {len(moves)} tickets to {cover}.")
        else:
            for tool, arguments in moves:
                ep.call(tool, **arguments)
        ep.answer(f"Moved {len(tickets)} tickets from {away} to {cover}: {', '.join(tickets)}.")

    return run


def escalate_tasks(rng: random.Random, db: Database, count: int) -> list[Task]:
    """Make a ticket urgent and say why in an internal note (reopening it first if closed)."""
    reasons = [
        "their whole team is blocked",
        "it affects their payroll run today",
        "they are threatening to cancel",
        "a production outage on their side",
        "their CEO escalated to our account manager",
    ]
    open_ids = sorted(
        t["id"]
        for t in db["tickets"].values()
        if t["status"] == "open" and t["priority"] != "urgent"
    )
    closed_ids = sorted(t["id"] for t in db["tickets"].values() if t["status"] == "closed")
    operators = [agent["email"] for agent in db["agents"].values()]
    tasks = []
    noises = plan_noise(
        rng,
        count,
        ["fix_up", "retry_after_error", "duplicate_read", "unused_read"],
        ["wrong_change"],
    )
    for index in range(count):
        noise = noises[index]
        ticket_id = rng.choice(closed_ids if "fix_up" in noise else open_ids)
        reason = rng.choice(reasons)
        said = rng.choice(
            [
                f"Escalate {ticket_id}: {reason}. Make it urgent and add an internal "
                "note saying why.",
                f"{ticket_id} needs to be urgent now ({reason}); leave an internal "
                "note with the reason.",
            ]
        )
        operator = rng.choice(operators)
        tasks.append(
            Task("escalate", operator, said, _escalate(operator, ticket_id, reason, noise, rng))
        )
    return tasks


def _escalate(
    operator: str, ticket_id: str, reason: str, noise: frozenset[str], rng: random.Random
) -> Script:
    def run(ep: Episode) -> None:
        token = sign_in(ep, operator)
        if "retry_after_error" in noise:
            ep.call("get_ticket", token=token, ticket_id=mistype(ticket_id, rng))
            ep.note("retry_after_error")
        ep.call("get_ticket", token=token, ticket_id=ticket_id)
        if "duplicate_read" in noise:
            ep.call("get_ticket", token=token, ticket_id=ticket_id)
            ep.note("duplicate_read")
        if "unused_read" in noise:
            ep.call("list_agents", token=token, say="Let me see who is on the team.")
            ep.note("unused_read")
        priority = "high" if "wrong_change" in noise else "urgent"
        if "fix_up" in noise:  # the ticket is closed: it must be reopened first
            ep.call("set_priority", token=token, ticket_id=ticket_id, priority=priority)
            ep.call("reopen_ticket", token=token, ticket_id=ticket_id)
            ep.note("fix_up")
        ep.call("set_priority", token=token, ticket_id=ticket_id, priority=priority)
        ep.call(
            "add_comment",
            token=token,
            ticket_id=ticket_id,
            body=f"Escalated: {reason}.",
            public=False,
        )
        if "wrong_change" in noise:
            ep.note("wrong_change")
        ep.answer(f"{ticket_id} is now urgent, with an internal note on why.")

    return run

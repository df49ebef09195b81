"""Requests answered from reads alone (open tickets of an agent, a ticket's status) and three
requests made only once (merge two tickets, reopen with the customer's reply, reply publicly).
"""

from __future__ import annotations

import random

from examples.agentlog import Episode, Script, Task, plan_noise

from .tickets import Database, mistype, sign_in

__all__ = ["open_count_tasks", "single_tasks", "status_tasks"]


def open_count_tasks(rng: random.Random, db: Database, count: int) -> list[Task]:
    """How many open tickets does an agent have (find their id, search, count)."""
    agents = list(db["agents"].values())
    tasks = []
    noises = plan_noise(rng, count, ["retry_after_empty", "detour"], ["wrong_answer"])
    for index, asked in enumerate(rng.sample(agents, k=count)):
        operator = rng.choice([a for a in agents if a != asked])["email"]
        noise = noises[index]
        said = rng.choice(
            [
                f"How many open tickets does {asked['name']} have right now?",
                f"What's {asked['name']}'s open ticket count?",
            ]
        )
        tasks.append(
            Task("count_open_tickets", operator, said, _open_count(operator, asked["name"], noise))
        )
    return tasks


def _open_count(operator: str, name: str, noise: frozenset[str]) -> Script:
    def run(ep: Episode) -> None:
        token = sign_in(ep, operator)
        if "detour" in noise:
            ep.call("search_tickets", token=token, status="open", limit=5)
            ep.note("detour")
        if "retry_after_empty" in noise:
            ep.call("search_tickets", token=token, status="open", assignee=name)
            ep.note("retry_after_empty")
        agents = ep.call("list_agents", token=token)
        agent_id = next(a["id"] for a in agents["agents"] if a["name"] == name)
        wrong = "wrong_answer" in noise  # forgets the status filter and counts every ticket
        found = ep.call(
            "search_tickets",
            token=token,
            assignee=agent_id,
            **({} if wrong else {"status": "open"}),
        )
        if wrong:
            ep.note("wrong_answer")
        ep.answer(f"{name} has {found['total']} open tickets.")

    return run


def status_tasks(rng: random.Random, db: Database, count: int) -> list[Task]:
    """What is the status of a ticket (one read; the answer is in the last message)."""
    operators = [agent["email"] for agent in db["agents"].values()]
    tasks = []
    noises = plan_noise(rng, count, ["retry_after_error", "fix_up"], ["wrong_answer"])
    for index, ticket_id in enumerate(rng.sample(sorted(db["tickets"]), k=count)):
        operator = rng.choice(operators)
        noise = noises[index]
        said = rng.choice(
            [f"What's the status of {ticket_id}?", f"Is {ticket_id} still open? Who has it?"]
        )
        tasks.append(
            Task("ticket_status", operator, said, _status(operator, ticket_id, noise, rng))
        )
    return tasks


def _status(operator: str, ticket_id: str, noise: frozenset[str], rng: random.Random) -> Script:
    def run(ep: Episode) -> None:
        if "fix_up" in noise:  # reads before signing in
            ep.call("get_ticket", token="", ticket_id=ticket_id)
            ep.note("fix_up")
        token = sign_in(ep, operator)
        if "retry_after_error" in noise:
            ep.call("get_ticket", token=token, ticket_id=mistype(ticket_id, rng))
            ep.note("retry_after_error")
        ticket = ep.call("get_ticket", token=token, ticket_id=ticket_id)
        status = ticket["status"]
        if "wrong_answer" in noise:  # reads the priority field for the status
            status = ticket["priority"]
            ep.note("wrong_answer")
        holder = ticket["assignee"] or "nobody"
        ep.answer(f"{ticket_id} is {status}; it is assigned to {holder}.")

    return run


def single_tasks(rng: random.Random, db: Database) -> list[Task]:
    """Merge two tickets; reopen a closed one with the customer's reply; reply publicly."""
    agents = [agent["email"] for agent in db["agents"].values()]
    by_subject: dict[str, list[str]] = {}
    for ticket in db["tickets"].values():
        if ticket["status"] == "open":
            by_subject.setdefault(ticket["subject"], []).append(ticket["id"])
    target, source = next(ids[-2:] for _, ids in sorted(by_subject.items()) if len(ids) >= 2)
    closed = rng.choice(sorted(t["id"] for t in db["tickets"].values() if t["status"] == "closed"))
    pending = rng.choice(
        sorted(t["id"] for t in db["tickets"].values() if t["status"] == "pending")
    )
    reply = "It happened again this morning, same error."
    answer = "Thanks for the screenshot, we have passed it to engineering."
    one, two, three = rng.sample(agents, k=3)
    return [
        Task(
            "merge_tickets",
            one,
            f"Merge {source} into {target}, they are the same problem.",
            _merge(one, source, target),
        ),
        Task(
            "reopen_with_reply",
            two,
            f'The customer answered on {closed}: "{reply}" Reopen '
            "it and add their message as a public comment.",
            _reopen(two, closed, reply),
        ),
        Task(
            "public_reply",
            three,
            f'Reply to the customer on {pending}: "{answer}"',
            _reply(three, pending, answer),
        ),
    ]


def _merge(operator: str, source: str, target: str) -> Script:
    def run(ep: Episode) -> None:
        token = sign_in(ep, operator)
        ep.call("get_ticket", token=token, ticket_id=source)
        ep.call("get_ticket", token=token, ticket_id=target)
        ep.call("merge_tickets", token=token, source_id=source, target_id=target)
        ep.answer(f"Merged {source} into {target}.")

    return run


def _reopen(operator: str, ticket_id: str, reply: str) -> Script:
    def run(ep: Episode) -> None:
        token = sign_in(ep, operator)
        ep.call("reopen_ticket", token=token, ticket_id=ticket_id)
        ep.call("add_comment", token=token, ticket_id=ticket_id, body=f"Customer: {reply}")
        ep.answer(f"Reopened {ticket_id} and added the customer's message.")

    return run


def _reply(operator: str, ticket_id: str, text: str) -> Script:
    def run(ep: Episode) -> None:
        token = sign_in(ep, operator)
        ep.call("add_comment", token=token, ticket_id=ticket_id, body=text, public=True)
        ep.answer(f"Posted the reply on {ticket_id}.")

    return run

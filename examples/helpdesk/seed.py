"""Generate the helpdesk database, ``data.json`` (deterministic: a fixed seed).

Nine support agents in three teams and seventy tickets from customers of a small SaaS company, in
every status, some with comments. Run ``python -m examples.helpdesk.seed`` to rewrite it;
``record.py`` then re-records the trajectories. Both are committed, so nobody needs to run this.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from .store import DATA_PATH

__all__ = ["SEED", "build_database", "main"]

SEED = 20_240_610
AGENTS = [
    ("Nadia Berg", "technical"),
    ("Omar Haddad", "technical"),
    ("Ken Ito", "technical"),
    ("Maria Lopez", "billing"),
    ("Chloe Martin", "billing"),
    ("Sven Larsen", "billing"),
    ("Aisha Khan", "accounts"),
    ("Tom Walsh", "accounts"),
    ("Lucia Ferri", "accounts"),
]
ISSUES = {
    "technical": [
        ("Export to CSV times out", "The export spins for minutes and then fails."),
        ("Dashboard shows no data since this morning", "All charts are empty for our workspace."),
        ("Webhook deliveries failing with 500", "Our endpoint logs show no requests arriving."),
        ("SSO login loops back to the sign-in page", "Users are redirected endlessly."),
        ("API returns 429 well below our rate limit", "We send about 20 requests a minute."),
        ("Mobile app crashes when opening reports", "Happens on Android 14 since the update."),
        ("Scheduled reports not sent", "The Monday report did not arrive for anyone."),
    ],
    "billing": [
        ("Charged twice for the May invoice", "Two identical charges on our card."),
        ("Invoice PDF will not download", "The download link returns an error page."),
        ("Need VAT number on invoices", "Please add our VAT id to past and future invoices."),
        ("Refund for unused seats", "We removed 5 seats mid-cycle and expected a credit."),
        ("Card declined but bank says fine", "Payment fails at checkout each time."),
        ("Switch from monthly to annual plan", "We want the annual discount from next cycle."),
    ],
    "accounts": [
        ("Cannot invite new team members", "The invite button is greyed out."),
        ("Transfer workspace ownership", "Our admin left; the owner needs to change."),
        ("Delete a former employee's account", "Please remove their access and data."),
        ("Change the account email address", "We moved to a new domain."),
        ("Two-factor device lost", "User lost their phone and cannot sign in."),
    ],
}
COMPANIES = [
    "acme.io",
    "brightlabs.com",
    "northwind.co",
    "fernhill.org",
    "quantaworks.net",
    "bluepeak.com",
    "tidewater.io",
    "oakridge.dev",
]
PEOPLE = [
    "jane.doe",
    "li.wei",
    "sam.patel",
    "eva.novak",
    "raj.mehta",
    "ines.costa",
    "ola.nordmann",
    "ben.carter",
    "mila.kovac",
    "yusuf.demir",
    "anna.schmidt",
    "leo.rossi",
]
STATUS_WEIGHTS = {"open": 5, "pending": 2, "solved": 2, "closed": 3}
PRIORITY_WEIGHTS = {"low": 2, "normal": 5, "high": 2, "urgent": 1}


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_database(seed: int = SEED) -> dict[str, Any]:
    """The whole database as ``data.json`` holds it."""
    rng = random.Random(seed)
    agents = {}
    for number, (name, team) in enumerate(AGENTS):
        agent_id = f"agt_{1040 + 7 * number}"
        email = name.lower().replace(" ", ".") + "@helpdesk.example"
        agents[agent_id] = {"id": agent_id, "name": name, "email": email, "team": team}
    by_team = {team: [a for a in agents if agents[a]["team"] == team] for team in ISSUES}
    tickets = {}
    comment_number = 500
    start = datetime(2024, 5, 6, 8, 0)
    for number in range(1001, 1071):
        team = rng.choice(sorted(ISSUES))
        subject, description = rng.choice(ISSUES[team])
        opened = start + timedelta(minutes=300 * (number - 1001) + rng.randrange(0, 280))
        created = opened
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        assignee = None if status == "open" and rng.random() < 0.2 else rng.choice(by_team[team])
        comments = []
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            created += timedelta(minutes=rng.randrange(5, 600))
            author = assignee or rng.choice(by_team[team])
            public = rng.random() < 0.7
            body = rng.choice(
                [
                    "Thanks, we are looking into it.",
                    "Could you send a screenshot?",
                    "Reproduced on our side.",
                    "Waiting for engineering.",
                    "Customer confirmed the workaround.",
                ]
                if public
                else [
                    "Likely related to the last deploy.",
                    "Checked logs, nothing yet.",
                    "VIP customer, keep an eye on it.",
                ]
            )
            comments.append(
                {
                    "id": f"c-{comment_number}",
                    "author": author,
                    "body": body,
                    "public": public,
                    "created_at": _stamp(created),
                }
            )
            comment_number += 1
        tickets[f"HD-{number}"] = {
            "id": f"HD-{number}",
            "subject": subject,
            "description": description,
            "requester": f"{rng.choice(PEOPLE)}@{rng.choice(COMPANIES)}",
            "status": status,
            "priority": rng.choices(
                list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values())
            )[0],
            "assignee": assignee,
            "created_by": rng.choice(by_team[team]),
            "created_at": _stamp(opened),
            "updated_at": _stamp(created),
            "resolution": "fixed" if status == "closed" else None,
            "merged_into": None,
            "comments": comments,
        }
    return {
        "clock": "2024-06-03T08:00:00Z",
        "next_ticket": 1071,
        "next_comment": comment_number,
        "agents": agents,
        "tickets": tickets,
    }


def main() -> None:
    """Write ``data.json``."""
    DATA_PATH.write_text(json.dumps(build_database(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {DATA_PATH}")


if __name__ == "__main__":
    main()

"""Generate the file tree, ``data.json`` (deterministic: a fixed seed).

Five users' home directories under ``/home``, each with notes, logs, photo albums, downloads and two
software projects, plus a little in ``/tmp``. Run ``python -m examples.files.seed`` to rewrite it;
``record.py`` then re-records the trajectories. Both are committed, so nobody needs to run this.
"""

from __future__ import annotations

import json
import random
import string
from datetime import datetime, timedelta
from typing import Any

from .fs import DATA_PATH

__all__ = ["SEED", "USERS", "build_tree", "main"]

SEED = 20_240_603
USERS = ["maya", "tomas", "priya", "leon", "sofia"]
PROJECTS = ["atlas", "harbor", "lumen", "orchard", "quill", "tidepool", "beacon", "kestrel"]
PROJECTS += ["meridian", "sprout"]
ALBUMS = ["lisbon-2023", "wedding", "garden", "hiking-trip", "birthday", "kyoto", "snow-days"]
TOPICS = ["budget", "hiring", "roadmap", "launch date", "office move", "security review"]
TOPICS += ["customer feedback", "on-call rota", "migration", "pricing"]
CHORES = ["call the plumber", "renew passport", "book dentist", "pay electricity bill"]
CHORES += ["buy printer ink", "return library books", "water the plants", "back up laptop"]
LOG_EVENTS = [
    ("INFO", "request served in {n} ms"),
    ("INFO", "user session started (id={n})"),
    ("INFO", "cache hit ratio {n}%"),
    ("WARN", "slow query took {n} ms"),
    ("WARN", "retrying upstream call (attempt {n})"),
    ("ERROR", "connection refused by db-{n}"),
    ("ERROR", "timeout after {n} ms waiting for payment service"),
]


def _stamp(rng: random.Random) -> str:
    moment = datetime(2024, 1, 8, 8, 0) + timedelta(minutes=rng.randrange(0, 200_000))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _filler(rng: random.Random, size: int) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits + "+/", k=size))


def _project(rng: random.Random, name: str, with_build: bool) -> dict[str, str]:
    title = name.capitalize()
    todo = rng.sample(
        [
            "add tests for the parser",
            "fix login timeout",
            "update dependencies",
            "write the deploy guide",
            "profile the import job",
            "rename config keys",
            "drop Python 3.9 support",
            "add retry to the uploader",
        ],
        k=rng.randint(3, 5),
    )
    files = {
        "README.md": f"# {title}\n\n{title} is a small service for {rng.choice(TOPICS)}.\n\n"
        "## Setup\n\n    pip install -e .\n    python -m " + name + "\n",
        "TODO.md": "# TODO\n\n" + "".join(f"- [ ] {item}\n" for item in todo),
        "config.yaml": f"name: {name}\nversion: 0.{rng.randint(1, 9)}.{rng.randint(0, 20)}\n"
        f"port: {rng.randrange(8000, 9000)}\ndebug: {rng.choice(['true', 'false'])}\n",
        "src/main.py": f'"""Entry point of {name}."""\n\nfrom .utils import load\n\n\n'
        "def main() -> None:\n    print(load())\n",
        "src/utils.py": "import json\n\n\ndef load(path='config.json'):\n"
        "    with open(path) as f:\n        return json.load(f)\n",
    }
    if with_build:
        files["build/app.bin"] = _filler(rng, rng.randrange(600, 2400))
        files["build/cache.tmp"] = _filler(rng, rng.randrange(50, 300))
        files["build/build.log"] = (
            f"compiling {name}...\nlinking...\ndone in {rng.randint(3, 40)}s\n"
        )
    return files


def _home(rng: random.Random, user: str, projects: list[str], build: list[bool]) -> dict[str, str]:
    files: dict[str, str] = {".bashrc": "export EDITOR=vim\nalias ll='ls -l'\n"}
    chores = rng.sample(CHORES, k=rng.randint(4, 6))
    files["notes/todo.txt"] = "".join(f"- {chore}\n" for chore in chores)
    files["notes/ideas.md"] = "# Ideas\n\n" + "".join(
        f"- something about {topic}\n" for topic in rng.sample(TOPICS, k=3)
    )
    for day in sorted(rng.sample(range(1, 29), k=rng.randint(3, 4))):
        month = rng.choice([3, 4, 5])
        topics = rng.sample(TOPICS, k=3)
        body = "".join(
            f"- discussed {t}: {rng.choice(['agreed', 'open', 'follow up'])}\n" for t in topics
        )
        files[f"notes/meeting-2024-{month:02d}-{day:02d}.md"] = (
            f"# Meeting\n\nAttendees: team\n\n{body}"
        )
    for day in sorted(rng.sample(range(1, 29), k=rng.randint(3, 5))):
        lines = []
        for _ in range(rng.randint(12, 40)):
            level, text = rng.choice(LOG_EVENTS)
            clock = f"{rng.randrange(0, 24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
            lines.append(
                f"2024-05-{day:02d} {clock} {level} {text.format(n=rng.randint(2, 999))}\n"
            )
        files[f"logs/app-2024-05-{day:02d}.log"] = "".join(sorted(lines))
    for album in rng.sample(ALBUMS, k=rng.randint(1, 2)):
        for number in sorted(rng.sample(range(1000, 9999), k=rng.randint(3, 6))):
            files[f"photos/{album}/IMG_{number}.jpg"] = "JFIF" + _filler(
                rng, rng.randrange(300, 1500)
            )
    downloads = [
        f"invoice-{rng.randrange(1000, 9999)}.pdf",
        "report-draft.docx",
        f"setup-{rng.choice(['node', 'docker', 'zoom'])}.sh",
    ]
    downloads += [
        f"{rng.choice(['video', 'archive', 'dataset'])}-{n}.tmp" for n in range(rng.randint(1, 3))
    ]
    for name in downloads:
        files[f"Downloads/{name}"] = _filler(rng, rng.randrange(80, 3000))
    for project, with_build in zip(projects, build, strict=True):
        for path, content in _project(rng, project, with_build).items():
            files[f"projects/{project}/{path}"] = content
    return files


def build_tree(seed: int = SEED) -> dict[str, Any]:
    """The whole tree as ``data.json`` holds it."""
    rng = random.Random(seed)
    projects = rng.sample(PROJECTS, k=2 * len(USERS))
    files: dict[str, dict[str, str]] = {}
    for index, user in enumerate(USERS):
        mine = projects[2 * index : 2 * index + 2]
        content = _home(rng, user, mine, [index % 2 == 0, True])
        for path, text in content.items():
            files[f"/home/{user}/{path}"] = {"content": text, "modified": _stamp(rng)}
    deploy = f"/home/{USERS[2]}/projects/{projects[5]}/scripts/deploy.sh"
    files[deploy] = {
        "content": "#!/bin/sh\nset -e\nrsync -av build/ server:/srv/app\n",
        "modified": _stamp(rng),
    }
    files["/tmp/session.lock"] = {"content": "4711\n", "modified": _stamp(rng)}
    directories = {"/home", "/tmp"}
    for path in files:
        parent = path.rsplit("/", 1)[0]
        while parent:
            directories.add(parent)
            parent = parent.rsplit("/", 1)[0]
    return {
        "clock": "2024-06-03T09:00:00Z",
        "directories": sorted(directories),
        "files": {path: files[path] for path in sorted(files)},
    }


def main() -> None:
    """Write ``data.json``."""
    DATA_PATH.write_text(json.dumps(build_tree(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {DATA_PATH}")


if __name__ == "__main__":
    main()

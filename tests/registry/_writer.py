"""A writer process for the concurrency tests (run as a script: ``python _writer.py MODE ...``).

Modes:
    outcomes PATH NAME COUNT   record COUNT outcomes of NAME version 1 (3 of 4 succeed)
    learner PATH NAME COUNT    add COUNT new versions of NAME
    forever PATH NAME          record outcomes and add versions until killed, printing each
                               acknowledged commit ("o <outcome id>" / "v <version>") on stdout
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from skill_registry import Policy, Provenance, Registry

PROVENANCE = Provenance(synthesizer="test-writer")
# Policies off: these processes measure storage, not lifecycle decisions.
QUIET = Policy(auto_promote=False, auto_demote=False)


def add_version(registry: Registry, name: str, index: int) -> int:
    record = registry.add_version(
        name,
        source=f"def {name}(tools, x: int) -> int:\n    return x + {index}\n",
        schema={"parameters": {"type": "object", "properties": {"x": {"type": "integer"}}}},
        summary=f"Add {index} to a number",
        provenance=PROVENANCE,
        trajectories=[{"id": f"t{index}", "task": f"add {index}", "calls": []}],
    )
    return record.version


def main(mode: str, path: str, name: str, *rest: str) -> None:
    with Registry.open(path, policy=QUIET, create=True) as registry:
        if mode == "outcomes":
            for index in range(int(rest[0])):
                registry.record_outcome(
                    name, version=1, success=index % 4 != 0, duration_seconds=0.01
                )
        elif mode == "learner":
            for index in range(int(rest[0])):
                add_version(registry, name, 1_000_000 + index)
        elif mode == "forever":
            index = 0
            while True:
                index += 1
                if index % 5 == 0:
                    # A new source per process and step: the pid and the counter.
                    version = add_version(registry, name, os.getpid() * 100_000 + index)
                    print(f"v {version}", flush=True)
                else:
                    outcome = registry.record_outcome(
                        name,
                        version=1,
                        success=index % 2 == 0,
                        duration_seconds=0.01,
                        trajectory={"id": f"run-{index}", "task": "add", "n": index}
                        if index % 3 == 0
                        else None,
                    )
                    print(f"o {outcome.id}", flush=True)
        else:
            raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])

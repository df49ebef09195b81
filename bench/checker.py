"""Checker benchmark: the worst time of ``check`` over adversarial sources up to its caps.

Run: ``.venv/bin/python bench/checker.py [--repeat N] [--no-write]``. The static checker runs in
the host on untrusted text, so its time must be bounded for *any* source it accepts to look at.
``signature_of``, which ``skillbank add`` runs on the same source after ``check``, is timed too.
Each generator below builds a source that pushes one cost as far as the default ``CheckPolicy``
lets it (the most tokens, the longest lines, the deepest chains, the largest docstring, the
quadratic inputs that backtracking regular expressions used to choke on); every source is
checked ``--repeat`` times and the best time kept (the machine is shared: the minimum is the
checker's own cost). Results go to the ``## Checker`` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._report import machine, replace_part  # noqa: E402
from skills_runtime.checking import CheckPolicy, check, signature_of  # noqa: E402
from skills_runtime.errors import InvalidInput  # noqa: E402

POLICY = CheckPolicy()
HEAD = (
    "from typing import Any\n\n\ndef f(tools, a: int) -> Any:\n"
    '    """Adversarial input.\n\n    Args:\n        a: A number.\n\n    Returns:\n        x\n'
    '    """\n'
)


def _fill(line: Callable[[int], str], *, tokens_per_line: int) -> str:
    """Repeat statement lines until the source is just under the token cap."""
    count = max((POLICY.max_tokens - 60) // tokens_per_line, 1)  # the head has about 40 tokens
    return HEAD + "".join(line(i) for i in range(count)) + "    return a\n"


def _chain(operator: str) -> str:
    width = POLICY.max_line_tokens // 2 - 5
    return _fill(
        lambda i: f"    x{i} = " + operator.join(["a"] * width) + "\n",
        tokens_per_line=2 * width + 3,
    )


SOURCES: dict[str, Callable[[], str]] = {
    "flat statements (token cap)": lambda: _fill(lambda i: f"    a = a + {i}\n", tokens_per_line=6),
    "operator chains a+a+... (line cap)": lambda: _chain(" + "),
    "comparison chains a<a<...": lambda: _chain(" < "),
    "boolean chains a and a ...": lambda: _chain(" and "),
    "subscript chains a[0][0]...": lambda: _fill(
        lambda i: f"    x{i} = a" + "[0]" * (POLICY.max_line_tokens // 3 - 2) + "\n",
        tokens_per_line=POLICY.max_line_tokens,
    ),
    "attribute chains a.b.b...": lambda: _fill(
        lambda i: f"    x{i} = a" + ".b" * (POLICY.max_line_tokens // 2 - 3) + "\n",
        tokens_per_line=POLICY.max_line_tokens,
    ),
    "call chains a()()...": lambda: _fill(
        lambda i: f"    x{i} = a" + "()" * (POLICY.max_line_tokens // 2 - 3) + "\n",
        tokens_per_line=POLICY.max_line_tokens,
    ),
    "nested brackets (bracket cap)": lambda: _fill(
        lambda i: (
            f"    x{i} = "
            + "[" * (POLICY.max_bracket_depth - 1)
            + "a"
            + "]" * (POLICY.max_bracket_depth - 1)
            + "\n"
        ),
        tokens_per_line=2 * POLICY.max_bracket_depth + 2,
    ),
    "many distinct names": lambda: _fill(lambda i: f"    n{i} = a\n", tokens_per_line=4),
    "Args: line a + tabs + b (source cap)": lambda: (
        HEAD.replace(
            "        a: A number.", "        a" + "\t" * (POLICY.max_source_bytes - 400) + "b"
        )
        + "    return a\n"
    ),
    "Args: line a + spaces + ( (source cap)": lambda: (
        HEAD.replace(
            "        a: A number.", "        a" + " " * (POLICY.max_source_bytes - 400) + "(x"
        )
        + "    return a\n"
    ),
    "docstring of many continuation lines": lambda: (
        HEAD.replace(
            "        a: A number.",
            "        a: x\n" + "            y\n" * (POLICY.max_source_bytes // 16),
        )
        + "    return a\n"
    ),
    "docstring of many sections": lambda: (
        HEAD.replace(
            "    Returns:",
            "    Args:\n        a: x\n" * (POLICY.max_source_bytes // 24) + "    Returns:",
        )
        + "    return a\n"
    ),
    "one huge string literal": lambda: (
        HEAD + "    s = '" + "x" * (POLICY.max_source_bytes - 400) + "'\n    return a\n"
    ),
    "non-ASCII text throughout": lambda: (
        HEAD + "    s = '" + "é中" * (POLICY.max_source_bytes // 8) + "'\n    return a\n"
    ),
    "blank lines (token cap: line breaks count)": lambda: (
        HEAD + "\n" * (POLICY.max_source_bytes - 400) + "    return a\n"
    ),
    "comment lines (token cap: comments count)": lambda: (
        HEAD + "#\n" * ((POLICY.max_source_bytes - 400) // 2) + "    return a\n"
    ),
    "carriage-return line ends": lambda: (
        HEAD + "    a = a\r" * ((POLICY.max_source_bytes - 400) // 10) + "    return a\n"
    ),
    "huge literal defaults (int, float, string)": lambda: (
        HEAD.replace(
            "a: int",
            "a: int = -0x"
            + "f" * 20_000
            + ", b: float = 1"
            + "0" * 10_000
            + ".5, c: str = '"
            + "\\u00e9" * 5_000
            + "'",
        ).replace(
            "        a: A number.\n",
            "        a: A number.\n        b: A float.\n        c: Text.\n",
        )
        + "    return a\n"
    ),
    "deep elif ladder (elif cap)": lambda: (
        HEAD
        + "    if a == 0:\n        a = 0\n"
        + "".join(f"    elif a == {i}:\n        a = {i}\n" for i in range(1, POLICY.max_elif))
        + "    return a\n"
    ),
}


Row = tuple[str, int, float, float, float, tuple[str, ...]]
"""Name, bytes, check CPU seconds, check wall seconds, signature_of CPU seconds, findings."""


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call of ``action``."""
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.process_time() - cpu, time.perf_counter() - wall


def _signature(source: str) -> None:
    with contextlib.suppress(InvalidInput):  # refused with a message: the time is what counts
        signature_of(source)


def measure(repeat: int) -> list[Row]:
    rows = []
    for name, build in SOURCES.items():
        source = build()
        check_cpu = check_wall = signature_cpu = float("inf")
        for _ in range(repeat):
            cpu, wall = _timed(lambda: check(source))  # noqa: B023 -- called at once
            check_cpu, check_wall = min(check_cpu, cpu), min(check_wall, wall)
            signature_cpu = min(signature_cpu, _timed(lambda: _signature(source))[0])  # noqa: B023
        codes = check(source).codes
        size = len(source.encode("utf-8"))
        rows.append((name, size, check_cpu, check_wall, signature_cpu, codes))
        print(
            f"check {check_cpu:6.3f} s CPU {check_wall:6.3f} s wall, signature_of "
            f"{signature_cpu:6.3f} s CPU  {size:6d} B  {name}  {', '.join(codes) or 'no findings'}"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="checks per source (best kept)")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/benchmarks.md")
    options = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows = measure(options.repeat)
    load = max(load_before, os.getloadavg()[0])
    worst = max(rows, key=lambda row: row[2])
    worst_wall = max(rows, key=lambda row: row[3])
    worst_signature = max(rows, key=lambda row: row[4])
    if options.no_write:
        return
    table = "\n".join(
        f"| {name} | {size:,} | {cpu:.3f} | {wall:.3f} | {signature:.3f} | "
        f"{', '.join(codes) or '-'} |"
        for name, size, cpu, wall, signature, codes in rows
    )
    replace_part(
        "## Checker",
        f"""## Checker

`.venv/bin/python bench/checker.py` — {datetime.now(UTC):%Y-%m-%d}, {machine()}.

The static checker runs in the host on untrusted source. Each row is a source built to push one
cost as far as the default `CheckPolicy` caps allow (`max_source_bytes` {POLICY.max_source_bytes:,},
`max_tokens` {POLICY.max_tokens:,} — line breaks and comments count —, `max_line_tokens`
{POLICY.max_line_tokens}, brackets {POLICY.max_bracket_depth}, `elif` {POLICY.max_elif}); each
time is the best of {options.repeat}. `check` is timed in CPU seconds (its own cost) and in wall
seconds (what a caller waited on this shared machine, whose other work it includes: the load
average was up to {load:.1f} on its {os.cpu_count()} cores during the run);
`signature_of`, which `skillbank add` runs after `check` on the same source, in CPU seconds.

**Worst case: `check` {worst[2]:.3f} s of CPU** ({worst[0]}), {worst_wall[3]:.3f} s of wall time
({worst_wall[0]}); `signature_of` {worst_signature[4]:.3f} s of CPU ({worst_signature[0]}). The
goal is under 1 s; `CheckPolicy.max_seconds` ({POLICY.max_seconds:g} s) turns anything slower
into finding SK006.

| source | bytes | check CPU s | check wall s | signature_of CPU s | findings |
|---|---:|---:|---:|---:|---|
{table}
""",
    )


if __name__ == "__main__":
    main()

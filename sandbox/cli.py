"""``python -m sandbox run FILE.py --entry NAME --args JSON [--tools MODULE:ATTR] ...``.

Prints ``{"status","value","error","tool_calls","stats"}`` (plus ``limit``, ``rejection``,
``output``). Exit codes: 0 the call returned a value, 1 it did not, 2 bad usage or input.
Text the skill wrote reaches the terminal only as inert text: JSON is printed with every
non-ASCII character escaped, and printed output through :func:`sandbox.display.inert_text`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from sandbox.display import inert_text
from sandbox.errors import SandboxError
from sandbox.limits import Limits
from sandbox.pool import ProcessPool
from sandbox.pool_config import PoolConfig
from sandbox.tools import Tool, load_tools

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run one skill function in an isolated worker")
    run.add_argument("file", help="Python source file of the skill")
    run.add_argument("--entry", required=True, help="name of the function to call")
    run.add_argument("--args", default="{}", help="JSON object of keyword arguments")
    run.add_argument("--tools", default=None, help="host tools as MODULE:ATTR")
    run.add_argument("--timeout", type=float, default=10.0, help="wall-clock seconds")
    run.add_argument("--memory-mb", type=int, default=512, help="address-space cap in MiB")
    run.add_argument("--json", action="store_true", help="print exactly one JSON document")
    return parser


def _fail(message: str) -> int:
    print(f"error: {inert_text(message)}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    options = _parser().parse_args(argv)
    try:
        with open(options.file, encoding="utf-8") as handle:
            source = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read {options.file!r}: {exc}")
    try:
        args = json.loads(options.args)
    except json.JSONDecodeError as exc:
        return _fail(f"--args is not JSON ({exc}); pass an object like '{{\"n\": 3}}'")
    if not isinstance(args, dict):
        return _fail("--args must be a JSON object of keyword arguments")
    try:
        tools: tuple[Tool, ...] = load_tools(options.tools) if options.tools else ()
        limits = Limits(
            wall_seconds=options.timeout,
            cpu_seconds=options.timeout,
            memory_mb=options.memory_mb,
        )
        # One call: no spare worker to start beside it.
        with ProcessPool(limits=limits, config=PoolConfig.fixed(1, spare_workers=0)) as pool:
            result = pool.run(source, entry=options.entry, args=args, tools=tools)
    except SandboxError as exc:
        return _fail(str(exc))
    document = result.to_dict()
    if options.json:
        print(json.dumps(document, ensure_ascii=True))
    else:
        print(f"status: {result.status}", file=sys.stderr)
        for key in ("limit", "rejection", "error"):
            if document[key] is not None:
                print(f"{key}: {json.dumps(document[key], ensure_ascii=True)}", file=sys.stderr)
        if result.output:
            print(inert_text(result.output), end="", file=sys.stderr)
        print(json.dumps(result.value, indent=2, ensure_ascii=True))
    return 0 if result.status == "ok" else 1

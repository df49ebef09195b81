"""Loops: a read repeated once per element of a list becomes a ``for`` loop.

In a unit, the reads of one tool (each with a single argument) made before the write form a
*set of requests*. That set is explained as a loop when it equals, exactly, the set of values
obtained by walking a list:

- a list in the result of a read of the unit (``user["orders"]``: every order of the customer
  was looked at), its elements used as they are or through a field (``item["product_id"]``);
- the same list of records filtered by membership in a list argument of the write
  (``item["item_id"] in item_ids``: the products of the items being exchanged);
- a list argument of the write itself (``for item_id in item_ids``).

Equality of sets is the whole evidence: a replayed loop makes exactly the reads the recording
holds, no fewer (the skill would absorb less) and no more (a read the recording lacks cannot be
answered). The source of a loop must be a read the unit makes once, so the plan can name it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from skills_runtime.synthesis.group import Unit
from skills_runtime.synthesis.lift import LiftedStep, Path, is_distinctive, walk
from skills_runtime.trajectory.model import canonical_json

__all__ = ["LoopSpec", "describe", "loops_of", "preferred"]


@dataclass(frozen=True)
class LoopSpec:
    """One loop of a unit, described without positions so that units can share it.

    ``source_tool`` is the read whose result holds the list (``None``: the list is the write's
    argument ``source_path[0]``); ``field`` is the path inside an element giving the call's
    argument (``()``: the element itself); ``where`` keeps only elements whose field at the
    given path is in the write's list argument of the given name.
    """

    tool: str
    arg: str
    source_tool: str | None
    source_path: Path
    field: Path
    where: tuple[Path, str] | None = None

    @property
    def order(self) -> tuple[str, ...]:
        """A total order over specs, for stable output."""
        return (
            self.tool,
            self.arg,
            self.source_tool or "",
            repr(self.source_path),
            repr(self.field),
            repr(self.where),
        )


def describe(spec: LoopSpec) -> str:
    """A short readable spelling: ``get_product_details for each order.items (item_id in ...)``."""
    source = (
        f"{spec.source_tool}{_path_text(spec.source_path)}"
        if spec.source_tool is not None
        else f"write argument {spec.source_path[0]}"
    )
    text = f"{spec.tool} for each element of {source}"
    if spec.where is not None:
        text += f" whose {_path_text(spec.where[0]).strip('.')} is in {spec.where[1]}"
    return text


def _path_text(path: Path) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)


def _key(value: Any) -> str:
    return canonical_json(value)


def _scalar_fields(records: list[Any]) -> list[str]:
    """Top-level fields every record has with a distinctive scalar value, in document order."""
    if not records or not all(isinstance(r, dict) for r in records):
        return []
    return [
        name
        for name, value in records[0].items()
        if all(name in r and _distinct_scalar(r[name]) for r in records) and _distinct_scalar(value)
    ]


def _distinct_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and is_distinctive(value)


def _requests(unit: Unit) -> dict[str, tuple[str, frozenset[str]]]:
    """Per read tool: its single argument name and the set of values it was called with."""
    found: dict[str, tuple[str, set[str]]] = {}
    spoiled: set[str] = set()
    for step in unit.trace.steps[: unit.steps[-1]]:
        if step.is_write:
            continue
        if len(step.args) != 1 or not _distinct_scalar(step.args[0].value):
            spoiled.add(step.name)
            continue
        arg = step.args[0]
        name, values = found.setdefault(step.name, (arg.name, set()))
        if name != arg.name:
            spoiled.add(step.name)
        values.add(_key(arg.value))
    return {tool: (n, frozenset(v)) for tool, (n, v) in found.items() if tool not in spoiled}


def _sources(unit: Unit) -> Iterator[tuple[str | None, Path, list[Any]]]:
    """Lists a loop may walk: in results of reads made once by the unit, or write arguments."""
    steps = [unit.trace.steps[p] for p in unit.steps]
    names = [s.name for s in steps]
    for step in steps[:-1]:
        if names.count(step.name) != 1 or not isinstance(step.result, dict):
            continue
        for path, value in walk(step.result):
            positional = any(isinstance(p, int) for p in path)
            if path and not positional and isinstance(value, list) and value:
                yield step.name, path, value
    for arg in unit.write.args:
        if isinstance(arg.value, list) and arg.value:
            yield None, (arg.name,), arg.value


def _write_lists(write: LiftedStep) -> list[tuple[str, frozenset[str]]]:
    return [
        (arg.name, frozenset(_key(v) for v in arg.value))
        for arg in write.args
        if isinstance(arg.value, list) and arg.value and all(_distinct_scalar(v) for v in arg.value)
    ]


def loops_of(unit: Unit) -> tuple[LoopSpec, ...]:
    """Every loop that explains a repeated read of the unit exactly (several may, per tool)."""
    requests = _requests(unit)
    lists = _write_lists(unit.write)
    found: set[LoopSpec] = set()
    for source_tool, path, elements in _sources(unit):
        for tool, (arg, wanted) in sorted(requests.items()):
            if tool != source_tool:
                found.update(_matches(tool, arg, wanted, source_tool, path, elements, lists))
    return tuple(sorted(found, key=lambda spec: spec.order))


def preferred(specs: Iterable[LoopSpec]) -> tuple[LoopSpec, ...]:
    """At most one loop per tool: a filtered walk of a result (it generalizes to partial
    selections), then any walk of a result, then a walk of a write argument."""
    best: dict[str, LoopSpec] = {}
    for spec in sorted(specs, key=_rank):
        best.setdefault(spec.tool, spec)
    return tuple(sorted(best.values(), key=lambda spec: spec.order))


def _rank(spec: LoopSpec) -> tuple[bool, bool, tuple[str, ...]]:
    return (spec.where is None, spec.source_tool is None, spec.order)


def _matches(
    tool: str,
    arg: str,
    wanted: frozenset[str],
    source_tool: str | None,
    path: Path,
    elements: list[Any],
    lists: list[tuple[str, frozenset[str]]],
) -> Iterator[LoopSpec]:
    if all(_distinct_scalar(e) for e in elements):
        if frozenset(_key(e) for e in elements) == wanted:
            yield LoopSpec(tool, arg, source_tool, path, ())
        return
    fields = _scalar_fields(elements)
    for field in fields:
        if frozenset(_key(e[field]) for e in elements) == wanted:
            yield LoopSpec(tool, arg, source_tool, path, (field,))
    if source_tool is None:
        return
    for name, members in lists:
        for key in fields:
            if not members <= {_key(e[key]) for e in elements}:
                continue
            kept = [e for e in elements if _key(e[key]) in members]
            for field in fields:
                if field != key and frozenset(_key(e[field]) for e in kept) == wanted:
                    yield LoopSpec(tool, arg, source_tool, path, (field,), ((key,), name))

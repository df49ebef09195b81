"""Fake tools for property tests: answers shaped like recorded ones, consistent within an example.

A real tool cannot be called while verifying (it would change the world), and a random JSON value
would make every skill fail on its first subscript. So a fake answers from a *world*: the recording
of one replay case. Asked ``get_order_details(order_id="#W9")``, it takes the recorded call of that
tool in its world (the one whose arguments are closest), and rewrites the recorded answer so that
the values the recording was asked about become the values asked now: the recorded order id
becomes ``"#W9"``, the recorded customer's name the generated name. Ids therefore flow from the
inputs into results and on into later calls, the way they do against a real backend.

A fake is indistinguishable from the sandbox's real bridge for the skill: an undeclared tool and
arguments that do not fit the tool's schema get the bridge's own ``ToolError`` texts; answers are
plain JSON. Given a chooser (the property search's draws, or the coverage exploration's script),
it also does what a real backend may do:

- a call sometimes fails (``ToolError``, with a recorded error text of that tool or the bridge's
  wording of a tool that raised), so ``except ToolError`` paths run;
- a field the skill branches on (a key its conditions read, such as ``order["status"]``) sometimes
  holds another value of the same type (another value seen for that key, a constant the skill
  compares with, a generated one), so every guard is exercised both ways;
- a tool never recorded answers with JSON shaped by the keys the skill reads, so the code after
  its call runs too.

Answers are a pure function of (world, inputs, name, arguments, decisions): the same call asked
twice in one example gets the same answer, and the rerun of the determinism property sees the same
values (decisions are kept in ``memo``; only the order of keys in objects may be reversed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsonschema
from hypothesis import strategies as st

from sandbox.bridge import not_granted, schema_problem
from skills_runtime.replay import RecordedCall, ReplayCase, ReplayToolError
from skills_runtime.trajectory.model import canonical_json
from skills_runtime.verify.hints import AnswerHints
from skills_runtime.verify.strategies import ALPHABET, json_values

__all__ = ["Choice", "Chooser", "FakeTools", "Scripted", "from_hypothesis", "reverse_keys"]


@dataclass(frozen=True)
class Choice:
    """One decision a fake asks for.

    Attributes:
        kind: ``"fails"`` (does this call fail), ``"varies"`` (does this field hold another
            value), ``"value"`` (which other value), ``"invented"`` (an answer no recording
            shaped).
        strategy: What the property search draws from.
        neutral: The answer of a plain recording: no failure, no variation.
        active: The decision that does what ``kind`` says (fail, vary, the first other value).
    """

    kind: str
    strategy: st.SearchStrategy[Any]
    neutral: Any
    active: Any


Chooser = Callable[[Choice], Any]
"""Makes a fake's decisions: the property search draws them, the exploration scripts them."""


def from_hypothesis(draw: Callable[[st.SearchStrategy[Any]], Any]) -> Chooser:
    """Decisions drawn by hypothesis (``data.draw``): searched, and shrunk towards neutral."""
    return lambda choice: draw(choice.strategy)


class Scripted:
    """Decisions for the exploration: neutral, except the ``index``-th of ``kind`` (and the
    value that follows a variation), which is active. ``reached`` says whether it came up.
    """

    def __init__(self, kind: str, index: int) -> None:
        self.kind = kind
        self.index = index
        self.seen = 0
        self.reached = False
        self._value_next = False

    def __call__(self, choice: Choice) -> Any:
        if choice.kind == "value" and self._value_next:
            self._value_next = False
            return choice.active
        if choice.kind == self.kind:
            self.seen += 1
            if self.seen - 1 == self.index:
                self.reached = True
                self._value_next = choice.kind == "varies"
                return choice.active
        return choice.neutral


_MIN_SUBSTITUTED = 3
"""Shorter strings ("1", "ok") are too common to be identities: they are never rewritten."""
_FAIL = 9
"""A call fails when its draw from 0..9 is 9 (one in ten; shrinking goes to 0: no failure)."""
_VARY = 3
"""A branched-on field of an answer holds another value when its draw from 0..3 is 3."""
_LEAVES = 64
"""Fields of an answer considered for variation (answers can be large)."""
_WALKED = 20_000
"""Values of an answer looked at to find them (a bound on the work for a huge answer)."""


def reverse_keys(value: Any) -> Any:
    """The same JSON value with the keys of every object in reverse order."""
    if isinstance(value, dict):
        return {key: reverse_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reverse_keys(item) for item in value]
    return value


class FakeTools:
    """A tool dispatcher ``(name, arguments) -> result`` answering from one recorded world.

    Args:
        cases: The recordings; each one is a world.
        world: Which case answers (taken modulo the number of cases).
        inputs: The arguments the skill was called with in this example.
        error_type: Raised to the skill for a failed call (the sandbox's ``ToolError``).
        reversed_keys: Answer with object keys in reverse order (for the determinism property).
        tool_schemas: The declared tools and their argument schemas; when given, calls of other
            tools and invalid arguments are refused with the bridge's texts.
        choose: Makes the decisions below (the property search's draws, or the exploration's
            script); without it, answers are exactly the recorded ones and a tool never
            recorded answers ``None``.
        hints: What the skill reads from answers (see :class:`AnswerHints`).
        memo: Draws already made in this example, shared by the reruns of the example.
    """

    def __init__(
        self,
        cases: Sequence[ReplayCase],
        *,
        world: int,
        inputs: Mapping[str, Any],
        error_type: Callable[[str], BaseException] = ReplayToolError,
        reversed_keys: bool = False,
        tool_schemas: Mapping[str, Mapping[str, Any]] | None = None,
        choose: Chooser | None = None,
        hints: AnswerHints | None = None,
        memo: dict[str, Any] | None = None,
    ) -> None:
        self._cases = list(cases)
        self._world = world % len(self._cases) if self._cases else 0
        self._error_type = error_type
        self._reversed = reversed_keys
        self._validators = (
            None
            if tool_schemas is None
            else {
                name: jsonschema.Draft202012Validator(dict(schema))
                for name, schema in tool_schemas.items()
            }
        )
        self._choose = choose
        self._hints = hints or AnswerHints()
        self._memo = memo if memo is not None else {}
        self._asked: Counter[str] = Counter()
        #: Tools that answered without any recording to shape the answer on.
        self.invented: list[str] = []
        self._base: dict[str, str] = {}
        if self._cases:
            _pair_strings(self._cases[self._world].arguments, inputs, self._base)

    @property
    def world_id(self) -> str | None:
        """The trajectory id of the recording this fake answers from."""
        return self._cases[self._world].trajectory_id if self._cases else None

    def __call__(self, name: str, arguments: Mapping[str, Any]) -> Any:
        if self._validators is not None:
            validator = self._validators.get(name)
            if validator is None:
                raise self._error_type(not_granted(name, self._validators))
            problem = schema_problem(name, validator, dict(arguments))
            if problem is not None:
                raise self._error_type(problem)
        request = f"{name}:{canonical_json(dict(arguments))}"
        self._asked[request] += 1
        key = f"{self._asked[request]}#{request}"
        recorded = self._recorded(name, arguments)
        fails = Choice("fails", st.integers(0, _FAIL), neutral=0, active=_FAIL)
        if self._choice(key, fails) == _FAIL:
            raise self._error_type(self._failure_text(name))
        if recorded is None:
            self.invented.append(name)
            keys = sorted(self._hints.keys)
            invented = Choice(
                "invented",
                _shaped(self._hints),
                neutral=None,
                active=dict.fromkeys(keys, "") if keys else None,
            )
            answer = self._choice(key, invented)
            return reverse_keys(answer) if self._reversed else answer
        mapping = dict(self._base)
        _pair_strings(recorded.arguments, arguments, mapping)
        answer = _substitute(recorded.result, mapping)
        if recorded.is_error:
            raise self._error_type(str(answer))
        answer = self._varied(key, name, answer)
        return reverse_keys(answer) if self._reversed else answer

    def _choice(self, key: str, choice: Choice) -> Any:
        """A decision made once per call of this example (neutral without a chooser)."""
        if self._choose is None:
            return choice.neutral
        slot = f"{choice.kind}@{key}"
        if slot not in self._memo:
            self._memo[slot] = self._choose(choice)
        return self._memo[slot]

    def _failure_text(self, name: str) -> str:
        recorded = [
            str(call.result)
            for case in self._cases
            for call in case.calls
            if call.name == name and call.is_error
        ]
        # A recorded error of the tool reads as it did; else the bridge's words for a tool
        # that raised.
        return recorded[0] if recorded else f"tool {name!r} failed: RuntimeError: unavailable"

    def _varied(self, key: str, name: str, answer: Any) -> Any:
        """The answer, with each field the skill branches on sometimes holding another value.

        Each such field gets its own draw (one in four varies), so every guard is taken in some
        examples and not in others, independently of the other guards.
        """
        if self._choose is None:
            return answer
        found = _nodes(answer, self._hints.branch_keys) if self._hints.branch_keys else []
        if name in self._hints.whole_answers and isinstance(answer, list | dict):
            found.insert(0, ((), answer))  # a list answered at the top: its length decides
        for path, old in found:
            where = f"{key}@{canonical_json(list(path))}"
            varies = Choice("varies", st.integers(0, _VARY), neutral=0, active=_VARY)
            if self._choice(where, varies) != _VARY:
                continue
            options, generated = self._alternatives(name, str(path[-1]) if path else "", old)
            value = Choice(
                "value",
                st.sampled_from(options) | generated if options else generated,
                neutral=old,
                active=options[0] if options else _other(old),
            )
            answer = _replaced(answer, path, self._choice(where, value))
        return answer

    def _alternatives(
        self, name: str, field: str, old: Any
    ) -> tuple[list[Any], st.SearchStrategy[Any]]:
        """Other values of ``old``'s type: those seen for the field or compared with, and a
        strategy of generated ones."""
        seen = {
            canonical_json(value): value
            for case in self._cases
            for call in case.calls
            if call.name == name
            for path, value in _leaves(call.result)
            if path and path[-1] == field
        }
        seen.update({canonical_json(value): value for value in self._hints.constants})
        same_type = [
            value
            for text, value in sorted(seen.items())
            if type(value) is type(old) and value != old
        ]
        generated: st.SearchStrategy[Any]
        if isinstance(old, list | dict):
            # A collection the skill decides on: an empty one (a product without variants).
            return [], st.just(type(old)())
        if isinstance(old, bool):
            generated = st.just(not old)
        elif isinstance(old, int):
            generated = st.integers(-1, max(abs(old) * 2, 10))
        elif isinstance(old, float):
            generated = st.floats(-1.0, max(abs(old) * 2, 10.0), allow_nan=False)
        elif isinstance(old, str):
            generated = st.text(alphabet=ALPHABET, max_size=12)
        else:
            generated = st.none()
        return same_type, generated

    def _recorded(self, name: str, arguments: Mapping[str, Any]) -> RecordedCall | None:
        # The world itself first, then the other recordings in a fixed rotation.
        count = len(self._cases)
        for offset in range(count):
            case = self._cases[(self._world + offset) % count]
            candidates = [call for call in case.calls if call.name == name]
            if candidates:
                return max(candidates, key=lambda call: _closeness(call.arguments, arguments))
        return None


def _other(old: Any) -> Any:
    """A value of ``old``'s type that differs from it."""
    if isinstance(old, list | dict):
        return type(old)()
    if isinstance(old, bool):
        return not old
    if isinstance(old, int | float):
        return old + 1
    if isinstance(old, str):
        return old + "-other" if old else "other"
    return None


def _shaped(hints: AnswerHints) -> st.SearchStrategy[Any]:
    """Answers of a tool no recording shows: objects carrying every key the skill reads (or a
    list of them), with values among the constants the skill compares with, scalars, or such
    objects again; any JSON when the skill reads no key."""
    if not hints.keys:
        return json_values()
    scalars = st.none() | st.booleans() | st.integers(-10, 1000) | st.text(ALPHABET, max_size=8)
    if hints.constants:
        scalars = st.sampled_from(hints.constants) | scalars
    ordered = sorted(hints.keys)
    values = st.recursive(
        scalars,
        lambda inner: (
            st.fixed_dictionaries(dict.fromkeys(ordered, inner)) | st.lists(inner, max_size=3)
        ),
        max_leaves=8,
    )
    objects = st.fixed_dictionaries(dict.fromkeys(ordered, values))
    return objects | st.lists(objects, min_size=1, max_size=3)


def _nodes(value: Any, keys: frozenset[str]) -> list[tuple[tuple[Any, ...], Any]]:
    """The values inside a JSON value held under one of ``keys``, with their paths, containers
    before their contents (the first few, in order); an emptied container's contents are
    skipped by ``_replaced``.

    Only the values kept count towards the cap: an answer whose first fields are large (an
    order's items, each with its options) must not hide the fields after them (its status and
    owner) from the variations, or the guards on them are never taken.
    """
    found: list[tuple[tuple[Any, ...], Any]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), value)]
    walked = 0
    while stack and len(found) < _LEAVES and walked < _WALKED:
        where, item = stack.pop()
        walked += 1
        if where and where[-1] in keys:
            found.append((where, item))
        if isinstance(item, dict):
            stack.extend(((*where, key), child) for key, child in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend(
                ((*where, index), child) for index, child in reversed(list(enumerate(item)))
            )
    return found


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    """Scalar leaves of a JSON value with their paths (the first few, in order)."""
    found: list[tuple[tuple[Any, ...], Any]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [(path, value)]
    while stack and len(found) < _LEAVES:
        where, item = stack.pop()
        if isinstance(item, dict):
            stack.extend(((*where, key), child) for key, child in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend(
                ((*where, index), child) for index, child in reversed(list(enumerate(item)))
            )
        else:
            found.append((where, item))
    return found


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {
            key: _replaced(item, rest, new) if key == head else item for key, item in value.items()
        }
    if isinstance(value, list):
        return [
            _replaced(item, rest, new) if index == head else item
            for index, item in enumerate(value)
        ]
    return value


def _closeness(recorded: Mapping[str, Any], asked: Mapping[str, Any]) -> int:
    # max() keeps the first of equally close calls, so ties resolve to recording order.
    return sum(
        1
        for key, value in asked.items()
        if key in recorded and canonical_json(recorded[key]) == canonical_json(value)
    )


def _pair_strings(recorded: Any, current: Any, mapping: dict[str, str]) -> None:
    """Pair the string leaves of two structurally aligned values: recorded → current."""
    if isinstance(recorded, str) and isinstance(current, str):
        if len(recorded) >= _MIN_SUBSTITUTED and recorded != current:
            mapping.setdefault(recorded, current)
    elif isinstance(recorded, Mapping) and isinstance(current, Mapping):
        for key in recorded:
            if key in current:
                _pair_strings(recorded[key], current[key], mapping)
    elif isinstance(recorded, list) and isinstance(current, list):
        for old, new in zip(recorded, current, strict=False):
            _pair_strings(old, new, mapping)


def _substitute(value: Any, mapping: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, dict):
        return {mapping.get(key, key): _substitute(item, mapping) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, mapping) for item in value]
    return value

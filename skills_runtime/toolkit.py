"""The agent-facing API: stored skills as tools, in any provider's shape, executed safely.

::

    toolkit = Toolkit(Registry.open("skillbank.db"), bookshop_tools)
    response = client.chat.completions.create(model=..., messages=..., tools=toolkit.openai_tools())
    for call in response.choices[0].message.tool_calls or []:
        messages.append(toolkit.handle_openai_tool_call(call))

Every call is validated against the skill's schema before anything runs, runs in the sandbox with
only the host tools the skill's check recorded, and comes back as a :class:`ToolOutcome` (never as
an exception in the agent loop). With ``record=True`` each call is stored as a trajectory and as an
outcome of the skill version, which feeds its reliability and the material for its next version.

Only skills the toolset can run are offered: a skill learned in another domain, whose host tools
this toolset does not provide, is left out of every listing and export and named by
:meth:`Toolkit.unavailable` (calling it by name still answers with an ``unavailable`` result).
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from skill_registry import RegistryError
from skills_runtime.errors import InvalidArgument, UnknownSkill
from skills_runtime.export.attribution import attribute
from skills_runtime.export.formats import Format, ToolSpec, export_tools
from skills_runtime.export.meta import META_TOOL_NAMES, RUN_SKILL, SEARCH_SKILLS, meta_tool_specs
from skills_runtime.export.names import NameMap
from skills_runtime.export.outcome import ToolOutcome
from skills_runtime.export.outcome_writer import OutcomeWriter
from skills_runtime.export.recording import new_trajectory_id, skill_call_trajectory
from skills_runtime.export.strict import restore_defaults
from skills_runtime.tool_drift import record_tool_schemas
from skills_runtime.tools import Toolset

if TYPE_CHECKING:
    import sandbox
    from skill_registry import Registry, SkillSummary, VersionRecord
    from skills_runtime.checking import SkillSignature

__all__ = ["SkillEntry", "ToolOutcome", "Toolkit", "run_entry"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SkillEntry:
    """One skill version an agent may call, with its signature derived from the typed source."""

    name: str
    version: int
    state: str
    source: str
    signature: SkillSignature
    tools: tuple[str, ...]
    read_only: bool | None

    @property
    def parameters(self) -> dict[str, Any]:
        """JSON Schema object of the arguments (the one source of every export format)."""
        return dict(self.signature.parameters_schema)

    @property
    def description(self) -> str:
        """Summary and description from the docstring (arguments are described in the schema).

        The provenance paragraph (``Learned from: <trajectory ids>``) is for reviewers, not for
        the model choosing a tool: it is left out, so it costs no prompt tokens.
        """
        summary = (self.signature.summary or "").strip()
        body = _without_provenance((self.signature.description or "").strip())
        if body and not body.startswith(summary):
            return f"{summary}\n\n{body}" if summary else body
        return body or summary or f"Skill {self.name}."

    def spec(self) -> ToolSpec:
        """The provider-neutral declaration."""
        return ToolSpec(
            self.name,
            self.description,
            self.parameters,
            read_only=self.read_only,
            meta={"skillbank": {"version": self.version, "state": self.state}},
        )


class Toolkit:
    """Skills of a registry as tools for an agent, run with the host's tools.

    Args:
        registry: The skill registry.
        toolset: The host tools skills may call (each skill gets only those its check recorded).
        states: Lifecycle states an agent may use (default: promoted only).
        executor: The sandbox executor (e.g. a warm ``sandbox.ProcessPool``); None runs each
            call in a fresh isolated worker.
        limits: Per-call resource limits (sandbox defaults when None).
        record: Store every skill call as a trajectory and an outcome in the registry.
        writer: Store them from this writer's thread, in batches (a server's choice: calls
            do not wait on the registry); None stores each before ``execute`` returns.
        require_tools: Offer only skills whose host tools the toolset all provides (the others
            are listed by :meth:`unavailable`). False offers every skill in ``states``: for
            declarations exported with no toolset at hand.
    """

    def __init__(
        self,
        registry: Registry,
        toolset: Toolset,
        *,
        states: Sequence[str] = ("promoted",),
        executor: Any = None,
        limits: sandbox.Limits | None = None,
        record: bool = True,
        require_tools: bool = True,
        writer: OutcomeWriter | None = None,
    ) -> None:
        self.registry = registry
        self.toolset = toolset
        self.states = tuple(str(state) for state in states)
        self.executor = executor
        self.limits = limits
        self.record = record
        self.require_tools = require_tools
        self.writer = writer
        self._signatures: dict[str, SkillSignature] = {}
        # The loaded current version of each skill called so far, with the registry generation
        # it was last found current under: while nothing was committed since, a call reads
        # nothing; else one small read (Registry.head) says whether it is still current.
        self._loaded: dict[str, tuple[SkillEntry, Hashable | None]] = {}
        self._lock = threading.Lock()
        self.names = NameMap()

    # -- what an agent may use ----------------------------------------------------------------

    def skills(self, *, query: str | None = None, k: int | None = None) -> list[SkillEntry]:
        """The skills offered: every one in the allowed states, or the top ``k`` for ``query``.

        With ``require_tools`` (the default), skills needing host tools the toolset lacks are
        left out (see :meth:`unavailable`).
        """
        if query is not None and query.strip():
            entries = self._search(query, k or 5)
        else:
            entries = [entry for entry in self._entries() if self._offerable(entry)]
            entries = entries[:k] if k is not None else entries
        for entry in entries:
            self.names.add(entry.name)
        return entries

    def sync_tool_schemas(self) -> list[str]:
        """Tell the registry the toolset's current tool schemas (call it when the host starts).

        Skills verified against an earlier form of a tool go back to ``candidate`` (and so out of
        the promoted list) until ``skillbank verify`` passes them again.

        Returns:
            The versions sent back, as ``"name vN"``.
        """
        demoted = record_tool_schemas(self.registry, self.toolset.schemas())
        return [f"{record.name} v{record.version}" for record in demoted]

    def unavailable(self) -> dict[str, tuple[str, ...]]:
        """Skills in the allowed states left out because the toolset lacks tools they call.

        Returns:
            Skill name → the host tools it needs that the toolset does not provide, by name.
            Empty when ``require_tools`` is False (nothing is left out then).
        """
        if not self.require_tools:
            return {}
        return {
            entry.name: missing
            for entry in self._entries()
            if (missing := self.missing_tools(entry))
        }

    def missing_tools(self, entry: SkillEntry) -> tuple[str, ...]:
        """The host tools ``entry`` calls that the toolset does not provide (in call order)."""
        return tuple(tool for tool in entry.tools if tool not in self.toolset)

    def stats(self) -> list[dict[str, Any]]:
        """How each offered skill has done: ``name``, ``version``, ``state``, ``successes``,
        ``failures``, ``refusals`` (calls its own guard stopped), ``mean``, ``lower_bound``.

        A version whose refusals are most of its uses looks reliable by the posterior alone: a
        guard that fires before any write counts as the skill working. Show both.
        """
        return [
            {
                "name": entry.name,
                "version": entry.version,
                "state": entry.state,
                **self.registry.reliability(entry.name, version=entry.version).to_json(),
            }
            for entry in self.skills()
        ]

    def specs(self, *, query: str | None = None, k: int | None = None) -> list[ToolSpec]:
        """Provider-neutral declarations of the offered skills."""
        return [entry.spec() for entry in self.skills(query=query, k=k)]

    def tools(
        self,
        format: Format = "openai",
        *,
        strict: bool = False,
        query: str | None = None,
        k: int | None = None,
    ) -> list[dict[str, Any]]:
        """Declarations of the offered skills in one provider's shape."""
        return export_tools(self.specs(query=query, k=k), format=format, strict=strict)

    def openai_tools(self, *, strict: bool = False, **select: Any) -> list[dict[str, Any]]:
        """OpenAI Chat Completions tools: ``{"type": "function", "function": {...}}``."""
        return self.tools("openai", strict=strict, **select)

    def responses_tools(self, *, strict: bool = False, **select: Any) -> list[dict[str, Any]]:
        """OpenAI Responses tools: ``{"type": "function", "name", "parameters", ...}``."""
        return self.tools("openai-responses", strict=strict, **select)

    def anthropic_tools(self, *, strict: bool = False, **select: Any) -> list[dict[str, Any]]:
        """Anthropic tools: ``{"name", "description", "input_schema"}``."""
        return self.tools("anthropic", strict=strict, **select)

    def mcp_tools(self, **select: Any) -> list[dict[str, Any]]:
        """MCP tools: ``{"name", "description", "inputSchema"}``."""
        return self.tools("mcp", **select)

    def meta_tools(
        self, format: Format = "openai", *, strict: bool = False
    ) -> list[dict[str, Any]]:
        """``search_skills`` and ``run_skill``: two tools instead of the whole library."""
        return export_tools(meta_tool_specs(strict=strict), format=format, strict=strict)

    # -- execution ----------------------------------------------------------------------------

    def execute(self, name: str, arguments: str | Mapping[str, Any] | None = None) -> ToolOutcome:
        """Run the skill (or meta-tool) ``name``; every failure comes back as an outcome.

        Args:
            name: The name as exported (or the skill's own name).
            arguments: A JSON object, or its text as a model sent it.
        """
        parsed = _parse_arguments(name, arguments)
        if isinstance(parsed, ToolOutcome):
            return parsed
        try:
            return self._dispatch(name, parsed)
        except RegistryError as error:  # closed, locked or unreadable: the agent's loop goes on
            logger.exception("the registry failed while calling %r", name)
            return ToolOutcome.failure(
                name,
                "unavailable",
                type(error).__name__,
                f"the skill registry could not be read ({error}); nothing ran, try again later",
            )

    def _dispatch(self, name: str, parsed: dict[str, Any]) -> ToolOutcome:
        if name == SEARCH_SKILLS:
            return self._search_skills(parsed)
        if name == RUN_SKILL:
            return self._run_skill(parsed)
        try:
            entry = self.entry(name)
        except UnknownSkill as error:
            # Said to a model, which has the meta-tool; a person at the CLI gets its own hint.
            return ToolOutcome.failure(
                name, "unknown_skill", "UnknownSkill", f"{error}; use {SEARCH_SKILLS!r} to find one"
            )
        return self._run(entry, parsed, called_as=name)

    def entry(self, name: str) -> SkillEntry:
        """The offered skill called ``name`` (exported or own name).

        Raises:
            UnknownSkill: No such skill in the allowed states (the message lists the offered ones).
        """
        skill = self.names.skill(name)
        entry, state = self._current(skill)
        if entry is None:
            offered = sorted(self.names.exported(e.name) for e in self.skills())
            shown = ", ".join(offered[:20]) + (", …" if len(offered) > 20 else "")
            where = "" if state is None else f" (its current version is {state!r})"
            raise UnknownSkill(
                f"no skill {name!r} is available{where}; available skills in states "
                f"{', '.join(self.states)}: {shown or 'none'}"
            )
        self.names.add(entry.name)
        return entry

    def handle_openai_tool_call(self, tool_call: Any) -> dict[str, Any]:
        """Answer one Chat Completions tool call (a dict or an SDK object) with a tool message."""
        function = _field(tool_call, "function")
        outcome = self.execute(str(_field(function, "name")), _field(function, "arguments"))
        return {
            "role": "tool",
            "tool_call_id": _field(tool_call, "id"),
            "content": outcome.content(),
        }

    def handle_responses_call(self, item: Any) -> dict[str, Any]:
        """Answer one Responses ``function_call`` item with a ``function_call_output`` item."""
        outcome = self.execute(str(_field(item, "name")), _field(item, "arguments"))
        return {
            "type": "function_call_output",
            "call_id": _field(item, "call_id"),
            "output": outcome.content(),
        }

    def handle_anthropic_tool_use(self, block: Any) -> dict[str, Any]:
        """Answer one Anthropic ``tool_use`` block with a ``tool_result`` block."""
        outcome = self.execute(str(_field(block, "name")), _field(block, "input"))
        return {
            "type": "tool_result",
            "tool_use_id": _field(block, "id"),
            "content": outcome.content(),
            "is_error": outcome.is_error,
        }

    # -- internals ----------------------------------------------------------------------------

    def _current(self, skill: str) -> tuple[SkillEntry | None, str | None]:
        """The current version of ``skill`` if it is offered, and its state (None: unknown).

        Versions never change once stored, so a loaded entry stays right while the skill's
        current version and its state are those it was loaded with; whoever promotes, adds,
        demotes or rolls back (this process or another) changes one of them.
        """
        # Taken before any read: a commit after this point changes it for the next call.
        generation = self.registry.generation()
        with self._lock:
            cached, seen = self._loaded.get(skill, (None, None))
        if cached is not None and generation is not None and generation == seen:
            return cached, cached.state
        try:
            version, state = self.registry.head(skill)
        except LookupError:
            return None, None
        if state.value not in self.states:
            return None, state.value
        if cached is None or (cached.version, cached.state) != (version, state.value):
            try:
                record = self.registry.get(skill, version=version)
            except LookupError:  # removed between the two reads
                return None, None
            cached = self._entry(record)
            if cached is None:
                return None, record.state.value
        with self._lock:
            self._loaded[skill] = (cached, generation)
        return cached, cached.state

    def _offered(self) -> list[SkillSummary]:
        """The current versions in the offered states (one listing, names and versions only)."""
        return [s for state in self.states for s in self.registry.list_skills(state=state)]

    def _entries(self) -> list[SkillEntry]:
        """Every readable skill in the offered states, runnable here or not."""
        entries = []
        for summary in self._offered():
            entry = self._entry(self.registry.get(summary.name, version=summary.version))
            if entry is not None:
                entries.append(entry)
        return entries

    def _offerable(self, entry: SkillEntry) -> bool:
        return not self.require_tools or not self.missing_tools(entry)

    def _search(self, query: str, k: int) -> list[SkillEntry]:
        """The top ``k`` offerable hits: fetch more while hits are left out for missing tools."""
        fetch = k
        while True:
            hits = self.registry.search(query, k=fetch, states=self.states)
            entries = [
                entry
                for hit in hits
                if (entry := self._entry(self.registry.get(hit.name, version=hit.version)))
                is not None
                and self._offerable(entry)
            ]
            if len(entries) >= k or len(hits) < fetch:
                return entries[:k]
            fetch *= 2

    def _entry(self, record: VersionRecord) -> SkillEntry | None:
        state = record.state.value
        if state not in self.states:
            return None
        try:
            signature = self._signature(record.content_hash, record.source)
        except Exception:  # a stored source the checker cannot read is not offered
            logger.exception(
                "skill %r version %s has no readable signature", record.name, record.version
            )
            return None
        tools = tuple(dict.fromkeys([*record.tools, *signature.tools_called]))
        writes = [t for t in tools if t in self.toolset and self.toolset.get(t).mutates]
        read_only = None if any(t not in self.toolset for t in tools) else not writes
        return SkillEntry(
            record.name, record.version, state, record.source, signature, tools, read_only
        )

    def _signature(self, content_hash: str, source: str) -> SkillSignature:
        from skills_runtime.checking import signature_of

        with self._lock:
            cached = self._signatures.get(content_hash)
        if cached is None:
            cached = signature_of(source)
            with self._lock:
                self._signatures[content_hash] = cached
        return cached

    def _run(self, entry: SkillEntry, arguments: dict[str, Any], *, called_as: str) -> ToolOutcome:
        outcome, checked = run_entry(
            entry,
            arguments,
            toolset=self.toolset,
            executor=self.executor,
            limits=self.limits,
            called_as=called_as,
            trajectory_id=new_trajectory_id(f"skill-{entry.name}") if self.record else None,
        )
        if self.record and checked is not None:
            self._record(entry, checked, outcome)
        return outcome

    def _record(self, entry: SkillEntry, arguments: dict[str, Any], outcome: ToolOutcome) -> None:
        use = functools.partial(self._use, entry, arguments, outcome)
        if self.writer is not None:
            self.writer.submit(use)
            return
        try:
            self.registry.record_outcome(**use())
        except Exception:  # recording must never break the agent's loop
            logger.exception("could not record the call of skill %r", entry.name)

    def _use(
        self, entry: SkillEntry, arguments: dict[str, Any], outcome: ToolOutcome
    ) -> dict[str, Any]:
        """One call as ``Registry.record_outcome`` takes it: outcome, duration, trajectory."""
        # Reliability is decided from the bridge's records and the host's declared effects,
        # never from the exception type alone (see skills_runtime.export.attribution).
        verdict = attribute(outcome, {tool.name: tool.mutates for tool in self.toolset})
        trajectory = skill_call_trajectory(
            outcome,
            skill=entry.name,
            arguments=arguments,
            schemas=self.toolset.schemas(),
            attribution=verdict,
        )
        return {
            "name": entry.name,
            "version": entry.version,
            "success": verdict.success,
            "refused": verdict.refused,
            "duration_seconds": outcome.seconds,
            "trajectory": trajectory.model_dump(mode="json"),
        }

    def _search_skills(self, arguments: Mapping[str, Any]) -> ToolOutcome:
        query = arguments.get("query")
        k = arguments.get("k", 5)
        if not isinstance(query, str) or not query.strip():
            return ToolOutcome.failure(
                SEARCH_SKILLS,
                "invalid_arguments",
                "InvalidArgument",
                'search_skills needs {"query": "<what you want to do>", "k": <int, optional>}',
            )
        if k is None:
            k = 5
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 50:
            return ToolOutcome.failure(
                SEARCH_SKILLS, "invalid_arguments", "InvalidArgument", "k must be 1..50"
            )
        found = [
            {
                "name": self.names.exported(entry.name),
                "summary": (entry.signature.summary or "").strip(),
                "parameters": entry.parameters,
            }
            for entry in self.skills(query=query, k=k)
        ]
        return ToolOutcome(name=SEARCH_SKILLS, status="ok", value={"skills": found})

    def _run_skill(self, arguments: Mapping[str, Any]) -> ToolOutcome:
        name = arguments.get("name")
        inner = arguments.get("arguments", {})
        if not isinstance(name, str) or name in META_TOOL_NAMES:
            return ToolOutcome.failure(
                RUN_SKILL,
                "invalid_arguments",
                "InvalidArgument",
                'run_skill needs {"name": "<a skill from search_skills>", "arguments": {...}}',
            )
        return self.execute(name, inner if inner is not None else {})


def run_entry(
    entry: SkillEntry,
    arguments: dict[str, Any],
    *,
    toolset: Toolset,
    executor: Any = None,
    limits: sandbox.Limits | None = None,
    called_as: str | None = None,
    trajectory_id: str | None = None,
) -> tuple[ToolOutcome, dict[str, Any] | None]:
    """Validate ``arguments`` and run ``entry`` in the sandbox with the host tools it calls.

    The one way a skill is run for an agent (the toolkit, the MCP server, an exported Agent
    Skills folder). Nothing is recorded here.

    Returns:
        The outcome (never raises for anything the caller or the skill did), and the validated
        arguments when the skill ran (None when nothing ran).
    """
    import sandbox
    from skills_runtime.checking import validate_arguments

    called_as = called_as or entry.name
    missing = tuple(tool for tool in entry.tools if tool not in toolset)
    if missing:
        provided = ", ".join(toolset.names) or "no tools"
        return ToolOutcome.failure(
            called_as,
            "unavailable",
            "ToolUnavailable",
            f"skill {entry.name!r} needs host tools {', '.join(missing)} that toolset "
            f"{toolset.name!r} does not provide (it has {provided}); nothing ran, "
            "use another skill or serve it with a toolset that has these tools",
        ), None
    try:
        checked = validate_arguments(entry.signature, restore_defaults(arguments, entry.parameters))
    except InvalidArgument as error:
        return ToolOutcome.failure(
            called_as,
            "invalid_arguments",
            "InvalidArgument",
            f"{error}. Expected: {_parameters_line(entry)}",
        ), None
    options: dict[str, Any] = {"entry": entry.signature.name, "args": checked}
    options["tools"] = toolset.sandbox_tools(entry.tools)
    if limits is not None:
        options["limits"] = limits
    started = time.perf_counter()
    try:
        result = sandbox.run(entry.source, executor=executor, **options)
    except sandbox.PoolBusy as busy:  # back-pressure: nothing ran, the caller may retry
        return ToolOutcome.busy(called_as, str(busy)), None
    except Exception as error:  # an infrastructure failure, reported to the model as such
        logger.exception("the sandbox failed to run skill %r", entry.name)
        return ToolOutcome.failure(
            called_as, "crashed", type(error).__name__, f"the sandbox failed: {error}"
        ), None
    seconds = time.perf_counter() - started
    outcome = ToolOutcome(
        name=called_as,
        status=result.status,
        value=result.value if result.status == "ok" else None,
        error=_error_of(result),
        tool_calls=tuple(call.to_dict() for call in result.tool_calls),
        seconds=seconds,
        version=entry.version,
        trajectory_id=trajectory_id,
    )
    return outcome, checked


def _parameters_line(entry: SkillEntry) -> str:
    """The parameters in brief (``email: str, reason: Literal[...] = 'x'``): the full schema is
    in the tool's declaration already."""
    parts = []
    for parameter in entry.signature.parameters:
        text = f"{parameter.name}: {parameter.annotation_text}"
        if not parameter.required:
            text += f" = {parameter.default!r}"
        parts.append(text)
    return ", ".join(parts) or "no arguments"


def _parse_arguments(name: str, arguments: str | Mapping[str, Any] | None) -> Any:
    if arguments is None:
        return {}
    if isinstance(arguments, str):
        text = arguments.strip() or "{}"
        try:
            arguments = json.loads(text)
        except json.JSONDecodeError as error:
            return ToolOutcome.failure(
                name,
                "invalid_arguments",
                "InvalidArgument",
                f"arguments are not valid JSON ({error.msg} at position {error.pos}); "
                "send a JSON object",
            )
    if not isinstance(arguments, Mapping):
        return ToolOutcome.failure(
            name,
            "invalid_arguments",
            "InvalidArgument",
            f"arguments must be a JSON object, got {type(arguments).__name__}",
        )
    return dict(arguments)


def _error_of(result: Any) -> dict[str, str] | None:
    if result.status == "ok":
        return None
    if result.status == "rejected" and getattr(result, "rejection", None) is not None:
        return {"type": "Rejected", "message": result.rejection.message}
    if result.status == "limit":
        detail = (result.error or {}).get("message", "")
        return {
            "type": "LimitExceeded",
            "message": f"the skill exceeded its {result.limit or 'resource'} limit"
            + (f" ({detail})" if detail else "")
            + "; try smaller inputs or a different approach",
        }
    if result.error:
        return {
            "type": str(result.error.get("type", "Error")),
            "message": str(result.error.get("message", "")),
        }
    return {"type": "Error", "message": f"the skill ended with status {result.status!r}"}


def _field(value: Any, key: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(key)
    return getattr(value, key, None)


def _without_provenance(text: str) -> str:
    paragraphs = text.split("\n\n")
    return "\n\n".join(p for p in paragraphs if not p.lstrip().startswith("Learned from:")).strip()

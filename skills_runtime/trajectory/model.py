"""Trajectories as pure values: what an agent did, call by call.

A trajectory is the normalized record of one task: its instruction, the ordered tool calls with
their arguments and results, and what is known of the outcome. Every importer produces these
values; synthesis, verification and the registry consume them. They carry no storage identity:
two trajectories with the same content are equal.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue

__all__ = [
    "JsonValue",
    "OrphanResult",
    "Outcome",
    "ToolCall",
    "ToolSchema",
    "Trajectory",
    "Turn",
    "canonical_json",
]


def canonical_json(value: Any) -> str:
    """The one JSON spelling of a value used for digests and comparisons (sorted keys, compact)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Outcome(StrEnum):
    """Whether the task a trajectory records succeeded, as far as its source says."""

    SUCCESS = "success"
    FAILURE = "failure"
    UNKNOWN = "unknown"


class ToolSchema(_Frozen):
    """A tool's declaration, as an agent saw it: name, description, JSON Schema of its arguments."""

    name: str
    description: str = ""
    parameters: dict[str, JsonValue] = Field(default_factory=dict)
    mutates: bool | None = None
    """Whether calling the tool changes the world (a write); None when the source does not say."""
    annotations: dict[str, JsonValue] = Field(default_factory=dict)
    """Behaviour hints the tool's server declared (MCP ``readOnlyHint``, ``destructiveHint``,
    ``idempotentHint``, ``openWorldHint``, ``title``); empty when it declared none."""


class Turn(_Frozen):
    """One request of the user and what the agent finally answered to it."""

    request: str
    answer: str = ""


class ToolCall(_Frozen):
    """One call of a tool and what it returned.

    ``arguments`` holds the parsed arguments. When a source gave arguments as a JSON string that
    does not parse, ``arguments`` is empty and ``raw_arguments`` keeps the text as it was.
    ``paired`` is False for a call whose result never arrived (then ``result`` is None).
    """

    name: str
    arguments: dict[str, JsonValue] = Field(default_factory=dict)
    result: JsonValue = None
    is_error: bool = False
    call_id: str | None = None
    mutates: bool | None = None
    raw_arguments: str | None = None
    paired: bool = True
    metadata: dict[str, JsonValue] = Field(default_factory=dict)
    """Other fields the source recorded for this call (e.g. τ²'s ``requestor``)."""
    turn: int = Field(default=0, ge=0)
    """Which request (an index into the trajectory's ``requests``) the call served."""


class OrphanResult(_Frozen):
    """A tool result whose call is not in the transcript (kept, never dropped)."""

    call_id: str
    result: JsonValue = None
    is_error: bool = False
    position: int
    """Index of the message (or item) that carried the result."""


class Trajectory(_Frozen):
    """What an agent did for one task: the instruction and the ordered tool calls."""

    id: str
    task: str = ""
    calls: tuple[ToolCall, ...] = ()
    outcome: Outcome = Outcome.UNKNOWN
    tool_schemas: tuple[ToolSchema, ...] = ()
    orphan_results: tuple[OrphanResult, ...] = ()
    metadata: dict[str, JsonValue] = Field(default_factory=dict)
    turns: tuple[Turn, ...] = ()
    """The user's requests in order, when the source holds several (a multi-turn transcript);
    empty when the whole trajectory serves the one ``task``."""

    @property
    def requests(self) -> tuple[Turn, ...]:
        """The requests the calls served: ``turns``, else the task as the one request."""
        if self.turns:
            return self.turns
        answer = self.metadata.get("final_response")
        return (Turn(request=self.task, answer=answer if isinstance(answer, str) else ""),)

    @property
    def split(self) -> str | None:
        """The benchmark split (``train``/``dev``/``test``) when the source names one."""
        split = self.metadata.get("split")
        return split if isinstance(split, str) else None

    def schema_of(self, tool: str) -> ToolSchema | None:
        """The declaration of ``tool`` carried by this trajectory, if any."""
        for schema in self.tool_schemas:
            if schema.name == tool:
                return schema
        return None

    def is_write(self, call: ToolCall) -> bool:
        """Whether a call changes the world: its own flag, else its tool's declaration."""
        if call.mutates is not None:
            return call.mutates
        schema = self.schema_of(call.name)
        return bool(schema is not None and schema.mutates)

    def digest(self) -> str:
        """A content digest (sha256 of the canonical JSON), stable across processes.

        Fields added after the first release (turns, call turns, tool annotations) count only
        when they hold something, so a trajectory without them keeps the digest it always had.
        """
        data = self.model_dump(mode="json")
        if not data["turns"]:
            del data["turns"]
        for call in data["calls"]:
            if call["turn"] == 0:
                del call["turn"]
        for schema in data["tool_schemas"]:
            if not schema["annotations"]:
                del schema["annotations"]
        return hashlib.sha256(canonical_json(data).encode()).hexdigest()

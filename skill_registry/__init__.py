"""skill_registry: a versioned, audited store of skills in one SQLite file or a PostgreSQL database.

Skills and their versions (by content hash), provenance, check and verify reports, a gated
lifecycle with an audit log, usage outcomes with a Beta reliability posterior, and search (FTS5
BM25, optionally blended with embeddings). Imports nothing else of skillbank.
"""

from __future__ import annotations

from .errors import (
    CorruptRegistry,
    GateNotPassed,
    IncompatibleRegistry,
    InvalidRecord,
    InvalidTransition,
    NotARegistry,
    RegistryBusy,
    RegistryError,
    RegistryNotFound,
    RegistryUnavailable,
    UnknownSkillError,
    UnknownVersionError,
)
from .lifecycle import TRANSITIONS, allowed_transitions
from .model import (
    AuditEntry,
    NewVersion,
    OutcomeRecord,
    Provenance,
    RegressionCase,
    Reliability,
    ReportKind,
    ReportRecord,
    SearchHit,
    SkillSummary,
    State,
    TrajectoryRecord,
    TrajectoryRef,
    VersionRecord,
)
from .policy import Policy
from .search import Embedder, SearchWeights
from .store import Registry

__all__ = [
    "TRANSITIONS",
    "AuditEntry",
    "CorruptRegistry",
    "Embedder",
    "GateNotPassed",
    "IncompatibleRegistry",
    "InvalidRecord",
    "InvalidTransition",
    "NewVersion",
    "NotARegistry",
    "OutcomeRecord",
    "Policy",
    "Provenance",
    "Registry",
    "RegistryBusy",
    "RegistryError",
    "RegistryNotFound",
    "RegistryUnavailable",
    "RegressionCase",
    "Reliability",
    "ReportKind",
    "ReportRecord",
    "SearchHit",
    "SearchWeights",
    "SkillSummary",
    "State",
    "TrajectoryRecord",
    "TrajectoryRef",
    "UnknownSkillError",
    "UnknownVersionError",
    "VersionRecord",
    "allowed_transitions",
]

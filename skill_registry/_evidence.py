"""Evidence kept with skills: check and verify reports by content hash, and regression cases."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import _queries as q
from ._validate import json_object
from .errors import InvalidRecord
from .model import RegressionCase, ReportKind, ReportRecord

if TYPE_CHECKING:
    from ._connection import Connection
    from .store import Backend

__all__ = ["EvidenceMixin"]

_HASH = re.compile(r"[0-9a-f]{64}")


class EvidenceMixin:
    """Reports and regression cases of ``Registry``."""

    _db: Backend

    def record_report(
        self, content_hash: str, *, kind: ReportKind, passed: bool, report: Mapping[str, Any]
    ) -> ReportRecord:
        """Store a check or verify report for the source with this content hash."""
        if not isinstance(content_hash, str) or not _HASH.fullmatch(content_hash):
            raise InvalidRecord(
                f"content hash {content_hash!r} is not a sha256 hex digest (64 lowercase hex "
                "characters); use VersionRecord.content_hash"
            )
        if kind not in ("check", "verify"):
            raise InvalidRecord(f"report kind {kind!r} is not 'check' or 'verify'")
        if not isinstance(passed, bool):
            raise InvalidRecord(f"passed must be a bool, got {passed!r}")
        report_json = json_object(report, "report")

        def work(connection: Connection) -> ReportRecord:
            row = connection.execute(
                "INSERT INTO reports (content_hash, kind, passed, report_json, created_at) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id, content_hash, kind, passed, report_json, "
                "created_at",
                (content_hash, kind, int(passed), report_json, time.time()),
            ).fetchone()
            return q.report_of(tuple(row))

        return self._db.write(work)

    def reports(self, content_hash: str) -> list[ReportRecord]:
        """Every report stored for ``content_hash``, oldest first."""
        rows = self._db.read(
            lambda c: c.execute(
                "SELECT * FROM reports WHERE content_hash = ? ORDER BY id", (content_hash,)
            ).fetchall()
        )
        return [q.report_of(tuple(row)) for row in rows]

    def add_regression_case(
        self, name: str, case: Mapping[str, Any], *, version: int
    ) -> RegressionCase:
        """Attach a replay case to skill ``name`` (kept across all its versions; deduplicated)."""
        case_json = json_object(case, "regression case")

        def work(connection: Connection) -> RegressionCase:
            q.version_row(connection, name, version)
            connection.execute(
                "INSERT INTO regression_cases (skill, case_digest, case_json, "
                "added_in_version, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (name, q.sha256(case_json), case_json, version, time.time()),
            )
            row = connection.execute(
                "SELECT id, skill, case_json, added_in_version, created_at FROM regression_cases "
                "WHERE skill = ? AND case_digest = ?",
                (name, q.sha256(case_json)),
            ).fetchone()
            return _case_of(tuple(row))

        return self._db.write(work)

    def regression_cases(self, name: str) -> list[RegressionCase]:
        """Every regression case of ``name``, oldest first."""

        def work(connection: Connection) -> list[RegressionCase]:
            q.skill_row(connection, name)
            return [
                _case_of(tuple(row))
                for row in connection.execute(
                    "SELECT id, skill, case_json, added_in_version, created_at "
                    "FROM regression_cases WHERE skill = ? ORDER BY id",
                    (name,),
                )
            ]

        return self._db.read(work)


def _case_of(row: tuple[Any, ...]) -> RegressionCase:
    row_id, skill, case_json, added_in_version, created_at = row
    return RegressionCase(
        id=row_id,
        name=skill,
        case=json.loads(case_json),
        added_in_version=added_in_version,
        created_at=created_at,
    )

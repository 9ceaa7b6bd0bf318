"""``sync_runs`` in the SQL store: one row per sync attempt, through Core statements on
:data:`~legsync.adapters.sql.tables.SYNC_RUNS` and an explicit mapping to and from the domain."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from sqlalchemy import ColumnElement, Row, func, insert, select

from legsync.domain import SyncCounts, SyncRun

from .engine import ConnectionSource
from .tables import SYNC_RUNS

__all__ = ["SqlSyncRunRepository", "run_from_row", "run_values"]

_RUNS = SYNC_RUNS.c
_COUNTS = tuple(field.name for field in fields(SyncCounts))


class SqlSyncRunRepository:
    """``sync_runs``; "last" means most recently recorded, as in the in-memory store."""

    def __init__(self, source: ConnectionSource) -> None:
        self._source = source

    def record(self, run: SyncRun) -> SyncRun:
        statement = insert(SYNC_RUNS).values(run_values(run)).returning(_RUNS.id)
        return replace(run, id=int(self._source.connection().execute(statement).scalar_one()))

    def last_run(self, account_id: str) -> SyncRun | None:
        return self._last(_RUNS.account_id == account_id)

    def last_successful_run(self, account_id: str) -> SyncRun | None:
        return self._last(_RUNS.account_id == account_id, _RUNS.success.is_(True))

    def _last(self, *conditions: ColumnElement[bool]) -> SyncRun | None:
        statement = select(SYNC_RUNS).where(*conditions).order_by(_RUNS.id.desc()).limit(1)
        row = self._source.connection().execute(statement).first()
        return None if row is None else run_from_row(row)

    def latest_runs(self) -> list[SyncRun]:
        newest = select(func.max(_RUNS.id)).group_by(_RUNS.account_id)
        statement = select(SYNC_RUNS).where(_RUNS.id.in_(newest))
        runs = [run_from_row(row) for row in self._source.connection().execute(statement)]
        return sorted(runs, key=lambda run: run.account_id)


def run_values(run: SyncRun) -> dict[str, Any]:
    """The column values of a run's row; ``id`` is left to the database."""
    counts = run.counts
    return {
        "account_id": run.account_id,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "success": run.success,
        "synced": counts.synced,
        **{name: getattr(counts, name) for name in _COUNTS},
        "pruned": run.pruned,
        "error": run.error,
    }


def run_from_row(row: Row[Any]) -> SyncRun:
    return SyncRun(
        account_id=row.account_id,
        started_at=row.started_at,
        finished_at=row.finished_at,
        success=bool(row.success),
        counts=SyncCounts(**{name: row._mapping[name] for name in _COUNTS}),
        pruned=bool(row.pruned),
        error=row.error,
        id=row.id,
    )

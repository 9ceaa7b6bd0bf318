"""``sync_runs`` in the SQL store: one row per sync attempt, a few rows at a time."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import (
    ColumnElement,
    func,
    select,
)
from sqlalchemy.orm import Session

from legsync.domain import (
    SyncRun,
)

from .rows import (
    SyncRunRow,
    run_from_row,
    run_to_row,
)

__all__ = ["SqlSyncRunRepository"]


class SqlSyncRunRepository:
    """``sync_runs``; "last" means most recently recorded, as in the in-memory store."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, run: SyncRun) -> SyncRun:
        row = run_to_row(run)
        self._session.add(row)
        self._session.flush()
        return replace(run, id=row.id)

    def last_run(self, account_id: str) -> SyncRun | None:
        return self._last(SyncRunRow.account_id == account_id)

    def last_successful_run(self, account_id: str) -> SyncRun | None:
        return self._last(SyncRunRow.account_id == account_id, SyncRunRow.success.is_(True))

    def _last(self, *conditions: ColumnElement[bool]) -> SyncRun | None:
        statement = select(SyncRunRow).where(*conditions).order_by(SyncRunRow.id.desc()).limit(1)
        row = self._session.scalars(statement).first()
        return None if row is None else run_from_row(row)

    def latest_runs(self) -> list[SyncRun]:
        newest = select(func.max(SyncRunRow.id)).group_by(SyncRunRow.account_id)
        statement = select(SyncRunRow).where(SyncRunRow.id.in_(newest))
        runs = [run_from_row(row) for row in self._session.scalars(statement)]
        return sorted(runs, key=lambda run: run.account_id)

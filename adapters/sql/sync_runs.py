"""``sync_runs`` in the SQL store: one row per sync attempt, a few rows at a time.

Core statements on :data:`~legsync.adapters.sql.tables.SYNC_RUNS`, on the unit of work's
connection: recording a sync must not cost the command the import of the ORM.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Dialect, Row, func, select

from legsync.domain import SyncRun

from .engine import ConnectionSource
from .tables import SYNC_RUNS

__all__ = ["RunInsert", "SqlSyncRunRepository", "run_from_row", "run_values"]

_RUNS = SYNC_RUNS.c
_INSERTED = tuple(column.name for column in SYNC_RUNS.c if column.name != "id")


@dataclass(frozen=True, slots=True)
class RunInsert:
    """The INSERT of one run as the dialect's driver SQL, with each column type's bind
    processor: what Core would send for ``insert(SYNC_RUNS)``, without Core's statement
    machinery, which cost every sync a quarter of a millisecond (a test holds the two to the
    same row)."""

    sql: str
    returning: bool
    processors: tuple[Callable[[Any], Any] | None, ...]

    @classmethod
    def for_dialect(cls, dialect: Dialect) -> RunInsert:
        postgres = dialect.name == "postgresql"
        mark = "%s" if postgres else "?"
        sql = (
            f"INSERT INTO {SYNC_RUNS.name} ({', '.join(_INSERTED)}) "
            f"VALUES ({', '.join([mark] * len(_INSERTED))})"
        )
        if postgres:
            sql += " RETURNING id"
        processors = tuple(
            SYNC_RUNS.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in _INSERTED
        )
        return cls(sql, postgres, processors)

    def row(self, run: SyncRun) -> tuple[Any, ...]:
        values = run_values(run)
        return tuple(
            value if process is None else process(value)
            for process, value in zip(
                self.processors, (values[name] for name in _INSERTED), strict=True
            )
        )


class SqlSyncRunRepository:
    """``sync_runs``; "last" means most recently recorded, as in the in-memory store."""

    def __init__(self, source: ConnectionSource, insert: RunInsert) -> None:
        self._source = source
        self._insert = insert

    def record(self, run: SyncRun) -> SyncRun:
        insert = self._insert
        result = self._source.connection().exec_driver_sql(insert.sql, insert.row(run))
        key = result.scalar_one() if insert.returning else result.lastrowid
        assert key is not None, "an INSERT of one row has its primary key"
        return replace(run, id=int(key))

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
    """The column values of a run's row; ``id`` is left to the database. Each column holds
    the ``SyncRun`` field of its name, so the list is the table's, not a copy of it."""
    return {name: getattr(run, name) for name in _INSERTED}


def run_from_row(row: Row[Any]) -> SyncRun:
    return SyncRun(
        account_id=row.account_id,
        started_at=row.started_at,
        finished_at=row.finished_at,
        success=bool(row.success),
        synced=row.synced,
        opened=row.opened,
        changed=row.changed,
        unchanged=row.unchanged,
        removed=row.removed,
        skipped=row.skipped,
        errors=row.errors,
        pruned=bool(row.pruned),
        error=row.error,
        id=row.id,
    )

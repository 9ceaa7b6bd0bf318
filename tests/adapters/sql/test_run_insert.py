"""Recording a sync run sends exactly the row Core's ``insert(SYNC_RUNS)`` would bind, on both
databases: the driver SQL is only a faster way to say the same INSERT."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from sqlalchemy import Dialect, insert
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import psycopg

from legsync.adapters.sql.sync_runs import RunInsert, run_values
from legsync.adapters.sql.tables import SYNC_RUNS
from legsync.domain import SyncRun

T0 = datetime(2027, 3, 1, 14, 30, 0, 123456, tzinfo=UTC)
EST = timezone(timedelta(hours=-5), "EST")

RUNS = [
    SyncRun(
        account_id="VA000001",
        started_at=T0,
        finished_at=T0 + timedelta(seconds=2),
        success=True,
        synced=1000,
        opened=10,
        changed=2,
        unchanged=988,
        removed=3,
        skipped=1,
        errors=0,
        pruned=True,
    ),
    SyncRun(
        account_id="VA000002",
        started_at=datetime(2027, 3, 1, 9, 30, tzinfo=EST),
        finished_at=datetime(2027, 3, 1, 9, 31, tzinfo=EST),
        success=False,
        error="broker unavailable: no answer within 30s",
    ),
]

POSTGRESQL: Dialect = psycopg.dialect()  # type: ignore[no-untyped-call]  # untyped in SQLAlchemy
DIALECTS = [pytest.param(sqlite.dialect(), id="sqlite"), pytest.param(POSTGRESQL, id="pg")]


def core_binds(run: SyncRun, dialect: Dialect) -> tuple[Any, ...]:
    """The positional parameters Core sends for ``insert(SYNC_RUNS)`` of ``run``."""
    values = run_values(run)
    compiled = insert(SYNC_RUNS).compile(dialect=dialect, column_keys=list(values))
    params = compiled.construct_params(values)
    processors = cast("dict[str, Callable[[Any], Any]]", compiled._bind_processors)  # no tuples
    order = compiled.positiontup or list(params)  # psycopg's pyformat names its parameters
    return tuple(
        processors[name](params[name]) if name in processors else params[name] for name in order
    )


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("run", RUNS, ids=["success", "failure"])
def test_a_run_binds_what_core_binds(dialect: Dialect, run: SyncRun) -> None:
    assert RunInsert.for_dialect(dialect).row(run) == core_binds(run, dialect)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_naive_time_is_refused_as_core_refuses_it(dialect: Dialect) -> None:
    # SyncRun refuses a naive time itself; the row is the store's own guard behind it.
    naive = SyncRun(account_id="VA000001", started_at=T0, finished_at=T0, success=True)
    object.__setattr__(naive, "started_at", datetime(2027, 3, 1, 9, 30))  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware datetime"):
        RunInsert.for_dialect(dialect).row(naive)

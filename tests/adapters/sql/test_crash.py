"""A crash at any point of a sync leaves the previous snapshot: an exception between the upsert
and the delete, and a process killed in the middle of a big transaction."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy import event

from legsync.adapters.sql import SqlStore
from legsync.application import SyncService, position_removed, position_synced
from legsync.testing import InMemoryBroker, ManualClock, position
from tests.adapters.sql.worker import Worker, snapshot

ACCOUNT = "VA000001"
BEFORE = [
    position("SPY270319P00400000", -2, cost_basis="-310"),
    position("SPY270319P00395000", 2, cost_basis="250"),
    position("SPXW270320C05000000", 1, cost_basis="1234.5"),
]
AFTER = [
    position("SPY270319P00400000", -3, cost_basis="-465"),  # changed
    position("SPY270319P00395000", 2, cost_basis="250"),  # unchanged
    position("AAPL270115C00200000", 4, cost_basis="1000"),  # opened; the SPXW leg is removed
]


class DeleteFails:
    """Makes the next DELETE the store sends raise, as a crash between upsert and delete."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.fired = False

    def __enter__(self) -> DeleteFails:
        event.listen(self.store.engine, "before_cursor_execute", self._maybe_fail)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self.store.engine, "before_cursor_execute", self._maybe_fail)

    def _maybe_fail(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            self.fired = True
            raise RuntimeError("injected crash between upsert and delete")


def test_an_exception_between_upsert_and_delete_leaves_the_previous_snapshot(
    store: SqlStore,
) -> None:
    broker = InMemoryBroker({ACCOUNT: BEFORE})
    service = SyncService(broker, store, ManualClock())
    assert service.sync(ACCOUNT).success
    with store() as uow:
        previous = uow.positions.all_legs()
    heard: list[object] = []

    def listen(_sender: object, **published: object) -> None:
        heard.append(published["event"])

    position_synced.connect(listen, weak=False)
    position_removed.connect(listen, weak=False)
    try:
        broker.set_positions(ACCOUNT, AFTER)
        with DeleteFails(store) as crash:
            result = service.sync(ACCOUNT)
    finally:
        position_synced.disconnect(listen)
        position_removed.disconnect(listen)

    assert crash.fired
    assert not result.success
    assert "injected crash" in (result.reason or "")
    assert heard == []
    with store() as uow:
        assert uow.positions.all_legs() == previous
        last = uow.sync_runs.last_run(ACCOUNT)
        assert last is not None
        assert not last.success

    # Nothing is stuck: the next sync applies the new snapshot.
    assert service.sync(ACCOUNT).success
    with store() as uow:
        assert sorted(leg.occ_symbol for leg in uow.positions.all_legs()) == [
            "AAPL270115C00200000",
            "SPY270319P00395000",
            "SPY270319P00400000",
        ]


def test_a_sync_process_killed_mid_transaction_leaves_the_previous_snapshot(
    store: SqlStore, spawn: Callable[..., Worker]
) -> None:
    previous = snapshot(ACCOUNT, 2000)
    with store() as uow:
        uow.positions.upsert(previous)
        uow.commit()
    url = store.engine.url.render_as_string(hide_password=False)

    worker = spawn(url=url, account=ACCOUNT, mode="crash")
    worker.go()
    assert worker.wait_for("read")["legs"] == 2000
    worker.wait_for("writing")  # 20,000 uncommitted legs written, and more on the way
    time.sleep(0.05)
    worker.kill()
    assert worker.process.returncode == -9
    if store.dialect_name == "sqlite":
        # The uncommitted legs had spilled to disk: the kill hit a half-written transaction.
        wal = Path(f"{store.engine.url.database}-wal")
        assert wal.stat().st_size > 2_000_000

    with SqlStore(url, lock_timeout=10) as after, after() as uow:
        uow.lock_account(ACCOUNT)  # the dead worker's lock is gone
        assert uow.positions.legs_by_key(ACCOUNT) == {leg.key: leg for leg in previous}
    if store.dialect_name == "sqlite":
        database = str(store.engine.url.database)
        with closing(sqlite3.connect(database)) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]

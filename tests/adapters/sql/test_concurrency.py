"""Two syncs of one account, in two processes, never interleave: the second waits for the
first to commit and then reads what it committed, or gives up with AccountBusy after its
wait. On PostgreSQL, syncs of different accounts do not wait for each other."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from legsync.adapters.sql import SqlStore
from tests.adapters.sql.worker import Worker, snapshot

ACCOUNT = "VA000001"
OTHER = "6YA000002"
HOLD = 1.0


def _url(store: SqlStore) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def test_the_second_sync_of_an_account_waits_and_reads_what_the_first_committed(
    store: SqlStore, spawn: Callable[..., Worker]
) -> None:
    first = spawn(url=_url(store), account=ACCOUNT, legs=300, version=1, hold=HOLD)
    second = spawn(url=_url(store), account=ACCOUNT, legs=200, version=2, lock_timeout=30)
    first.go()
    first.wait_for("locked")
    second.go()
    second.wait_for("locking")
    assert first.finish() == 0
    assert second.finish() == 0

    # The second got the lock only once the first was committing, after its hold ...
    assert second.at("locked") >= first.at("committing")
    assert second.at("locked") - second.at("locking") > HOLD / 2
    # ... and then saw the first's snapshot whole: 300 legs, all of version 1.
    assert second.event("read")["legs"] == 300
    assert second.event("read")["versions"] == sorted(
        {leg.quantity for leg in snapshot(ACCOUNT, 300, 1)}
    )
    assert second.event("committed")["removed"] == 100
    with store() as uow:
        assert uow.positions.legs_by_key(ACCOUNT) == {
            leg.key: leg for leg in snapshot(ACCOUNT, 200, version=2)
        }


def test_a_sync_that_cannot_get_the_lock_in_its_wait_fails_with_account_busy(
    store: SqlStore, spawn: Callable[..., Worker]
) -> None:
    first = spawn(url=_url(store), account=ACCOUNT, legs=300, version=1, hold=HOLD)
    second = spawn(url=_url(store), account=ACCOUNT, legs=200, version=2, lock_timeout=0.2)
    first.go()
    first.wait_for("locked")
    second.go()
    assert second.finish() == 3
    assert first.finish() == 0

    busy = second.event("busy")
    assert busy["message"].startswith(f"another sync of account {ACCOUNT} is running: waited 0.2s")
    assert busy["at"] < first.at("committing")
    with store() as uow:
        assert uow.positions.legs_by_key(ACCOUNT) == {
            leg.key: leg for leg in snapshot(ACCOUNT, 300, version=1)
        }


@pytest.mark.postgres
def test_on_postgresql_syncs_of_different_accounts_run_in_parallel(
    migrated_postgres_database: str, spawn: Callable[..., Worker]
) -> None:
    url = migrated_postgres_database
    first = spawn(url=url, account=ACCOUNT, legs=300, version=1, hold=HOLD)
    second = spawn(url=url, account=OTHER, legs=300, version=2, lock_timeout=0)
    first.go()
    first.wait_for("upserted")
    second.go()
    assert second.finish() == 0
    assert first.finish() == 0

    # The second account's whole sync happened while the first still held its lock.
    assert first.at("locked") < second.at("locked")
    assert second.at("committed") < first.at("committing")
    with SqlStore(url) as store, store() as uow:
        assert uow.positions.accounts() == sorted([ACCOUNT, OTHER])
        assert len(uow.positions.legs_by_key(OTHER)) == 300

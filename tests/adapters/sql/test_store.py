"""How the store connects: the default database, SQLite's settings, URLs, and the account lock
as one process sees it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from legsync.adapters.sql import DEFAULT_DATABASE_URL, SqlStore, account_lock_key, upgrade
from legsync.ports import AccountBusy

from .conftest import sqlite_url


def test_the_default_store_is_legsync_db_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert DEFAULT_DATABASE_URL == "sqlite:///legsync.db"
    upgrade(DEFAULT_DATABASE_URL)
    with SqlStore() as store, store() as uow:
        assert uow.positions.accounts() == []
    assert (tmp_path / "legsync.db").is_file()


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    upgrade(url)
    with SqlStore(url, lock_timeout=7.5) as store, store.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == 7500


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_a_postgresql_url_means_psycopg_3(scheme: str) -> None:
    store = SqlStore(f"{scheme}://legsync:secret@db.invalid/legsync")
    assert store.engine.url.drivername == "postgresql+psycopg"
    assert repr(store) == "SqlStore('postgresql+psycopg://legsync:***@db.invalid/legsync')"


def test_other_databases_and_negative_waits_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database URL scheme 'mysql'"):
        SqlStore("mysql://localhost/legsync")
    with pytest.raises(ValueError, match="legsync uses psycopg 3"):
        SqlStore("postgresql+psycopg2://localhost/legsync")
    with pytest.raises(ValueError, match="lock_timeout"):
        SqlStore("sqlite:///x.db", lock_timeout=-1)


def test_the_account_lock_key_is_the_same_in_every_process_and_version() -> None:
    """Workers of different processes (and legsync versions) must agree on the key, or two of
    them could sync one account at once: the value is pinned."""
    assert account_lock_key("VA000001") == account_lock_key("VA000001")
    assert account_lock_key("VA000001") != account_lock_key("VA000002")
    assert account_lock_key("VA000001") == -3000797315100891568
    assert -(2**63) <= account_lock_key("x" * 1000) < 2**63


def test_while_one_unit_of_work_writes_another_gets_account_busy_after_its_wait(
    migrated_url: str,
) -> None:
    with SqlStore(migrated_url) as holder, SqlStore(migrated_url, lock_timeout=0.3) as other:
        with holder() as first:
            first.lock_account("VA000001")
            started = time.monotonic()
            with other() as second, pytest.raises(AccountBusy, match="VA000001") as busy:
                second.lock_account("VA000001")
            waited = time.monotonic() - started
            first.commit()
        assert 0.25 <= waited < 5
        assert "waited 0.3s" in str(busy.value)
        with other() as second:
            second.lock_account("VA000001")  # free once the holder committed


@pytest.mark.postgres
def test_on_postgresql_the_lock_lasts_until_the_transaction_ends(
    migrated_postgres_database: str,
) -> None:
    url = migrated_postgres_database
    with SqlStore(url) as holder, SqlStore(url, lock_timeout=0) as other, holder() as first:
        first.lock_account("VA000001")
        with other() as second:
            with pytest.raises(AccountBusy, match="advisory lock is held"):
                second.lock_account("VA000001")
            second.lock_account("6YA000002")  # another account: no wait
        first.rollback()  # a rollback ends the transaction, and the lock with it
        with other() as second:
            second.lock_account("VA000001")

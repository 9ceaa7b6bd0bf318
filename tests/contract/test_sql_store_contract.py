"""The SQL store passes the same store contract as the in-memory one, on a real SQLite file and
on a real PostgreSQL server, each test on a fresh database created by the migrations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from legsync.adapters.sql import SqlStore, upgrade
from legsync.ports import UnitOfWorkFactory
from legsync.testing.contracts import StoreContract


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def uow_factory(self, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
        url = f"sqlite:///{tmp_path / 'legsync.db'}"
        upgrade(url)
        with SqlStore(url) as store:
            yield store


@pytest.mark.postgres
class TestPostgresStore(StoreContract):
    @pytest.fixture
    def uow_factory(self, migrated_postgres_database: str) -> Iterator[UnitOfWorkFactory]:
        with SqlStore(migrated_postgres_database) as store:
            yield store

"""Fixtures for the SQL store's tests: a migrated database on each backend, and workers in
processes of their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from legsync.adapters.sql import SqlStore, upgrade
from tests.adapters.sql.worker import Worker

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def sqlite_url(directory: Path, name: str = "legsync.db") -> str:
    return f"sqlite:///{directory / name}"


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database with nothing in it, on each backend: a new SQLite file, a new PG database."""
    if backend == "sqlite":
        return sqlite_url(tmp_path)
    return str(request.getfixturevalue("postgres_database"))


@pytest.fixture
def migrated_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh database at the newest schema, on each backend."""
    if backend == "sqlite":
        url = sqlite_url(tmp_path)
        upgrade(url)
        return url
    return str(request.getfixturevalue("migrated_postgres_database"))


@pytest.fixture
def store(migrated_url: str) -> Iterator[SqlStore]:
    with SqlStore(migrated_url) as opened:
        yield opened


@pytest.fixture
def spawn() -> Iterator[Callable[..., Worker]]:
    """Start workers (see worker.py); any still running when the test ends are killed."""
    started: list[Worker] = []

    def start(**options: Any) -> Worker:
        worker = Worker(**options)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill()

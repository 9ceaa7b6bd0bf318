"""Fixtures shared across the test tree. Keep this file small: helpers live in tests.support.

PostgreSQL: one server per test session (a throwaway cluster unless
``LEGSYNC_TEST_POSTGRES_URL`` names one), started only if a test asks for it. Tests that use
it are marked ``postgres``. Where no server can be had they skip, except under ``CI``, where
they fail: the PostgreSQL tests never skip silently in CI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.postgres import PostgresServer, PostgresUnavailable, postgres_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """The session's PostgreSQL server (see tests/support/postgres.py)."""
    try:
        with postgres_server() as server:
            yield server
    except PostgresUnavailable as unavailable:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {unavailable}", pytrace=False)
        pytest.skip(f"no PostgreSQL server: {unavailable}")


@pytest.fixture(scope="session")
def postgres_url(postgres: PostgresServer) -> str:
    """The server's maintenance database, as a SQLAlchemy URL (psycopg 3)."""
    return postgres.url


@pytest.fixture
def postgres_database(postgres: PostgresServer) -> Iterator[str]:
    """A fresh, empty database of its own for one test; dropped afterwards."""
    url = postgres.create_database()
    yield url
    postgres.drop_database(url)


@pytest.fixture
def migrated_postgres_database(postgres: PostgresServer) -> Iterator[str]:
    """A fresh database at the newest schema (copied from a template migrated once)."""
    url = postgres.create_migrated_database()
    yield url
    postgres.drop_database(url)

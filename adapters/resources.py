"""How the container opens and closes what it wires: each adapter is imported on first use, so
a command that reads a file never loads an HTTP client it does not use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from legsync.ports import Clock

from .settings import ConfigurationError

if TYPE_CHECKING:
    from legsync.testing import InMemoryBroker, InMemoryDatabase, InMemoryQuotes

    from .sql.store import SqlStore
    from .tradier import FileBroker, FileQuotes, TradierBroker

__all__ = [
    "file_broker",
    "file_quotes",
    "memory_broker",
    "memory_database",
    "memory_quotes",
    "sql_store",
    "tradier_broker",
]


def memory_database() -> InMemoryDatabase:
    from legsync.testing import InMemoryDatabase

    return InMemoryDatabase()


def memory_broker() -> InMemoryBroker:
    from legsync.testing import InMemoryBroker

    return InMemoryBroker()


def memory_quotes() -> InMemoryQuotes:
    from legsync.testing import InMemoryQuotes

    return InMemoryQuotes()


def sql_store(url: str) -> Iterator[SqlStore]:
    """The SQL store at ``url``, its schema prepared (created in a new, empty database;
    :class:`~legsync.adapters.sql.SchemaError` for one that is not current); closed after."""
    from .sql import SqlStore, prepare_schema

    store = SqlStore(url)
    try:
        prepare_schema(store)
        yield store
    finally:
        store.close()


def file_broker(path: str, clock: Clock) -> FileBroker:
    from .tradier.file_broker import FileBroker

    return FileBroker(Path(path), clock=clock)


def file_quotes(path: str | None) -> FileQuotes | None:
    """Marks from a saved quotes response; None when no file is configured (the sync then
    warns that marks were asked for but no quote source is configured)."""
    if path is None:
        return None
    from .tradier.file_quotes import FileQuotes

    return FileQuotes(Path(path))


def tradier_broker(
    token: SecretStr | str | None, base_url: str, timeout: float, clock: Clock
) -> Iterator[TradierBroker]:
    """Tradier over HTTP; a missing token is a configuration error naming the setting."""
    from .tradier.broker import TradierBroker

    if token is None or (isinstance(token, SecretStr) and not token.get_secret_value()):
        raise ConfigurationError(
            "setting tradier_token (LEGSYNC_TRADIER_TOKEN) is required for the Tradier broker"
        )
    broker = TradierBroker(token, base_url=base_url, timeout=timeout, clock=clock)
    try:
        yield broker
    finally:
        broker.close()

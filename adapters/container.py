"""The composition root: the one place that decides which adapter serves which port.

Logic-free by design: configuration in, wired objects out. Tests swap an adapter in one line,
``container.broker.override(InMemoryBroker(...))``, and get every other part as configured.
Adapters that need heavy libraries are built by small factories that import them on first
use, so a command that reads a file never loads an HTTP client it does not use.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from dependency_injector import containers, providers
from pydantic import SecretStr

from legsync.application import SyncService
from legsync.ports import Clock

from .clock import SystemClock

if TYPE_CHECKING:
    from .memory import InMemoryBroker, InMemoryDatabase, InMemoryQuotes
    from .sql.store import SqlStore
    from .tradier import FileBroker, TradierBroker

__all__ = ["Container"]


def _memory_database() -> InMemoryDatabase:
    from .memory import InMemoryDatabase

    return InMemoryDatabase()


def _memory_broker() -> InMemoryBroker:
    from .memory import InMemoryBroker

    return InMemoryBroker()


def _memory_quotes() -> InMemoryQuotes:
    from .memory import InMemoryQuotes

    return InMemoryQuotes()


def _sql_store(url: str) -> Iterator[SqlStore]:
    from .sql.store import SqlStore

    store = SqlStore(url)
    try:
        yield store
    finally:
        store.close()


def _file_broker(path: str, clock: Clock) -> FileBroker:
    from .tradier.file_broker import FileBroker

    return FileBroker(Path(path), clock=clock)


def _tradier_broker(
    token: SecretStr | str | None, base_url: str, timeout: float, clock: Clock
) -> Iterator[TradierBroker]:
    from .tradier.broker import TradierBroker

    if token is None or (isinstance(token, SecretStr) and not token.get_secret_value()):
        from .settings import ConfigurationError

        raise ConfigurationError(
            "setting tradier_token (LEGSYNC_TRADIER_TOKEN) is required for the Tradier broker"
        )
    broker = TradierBroker(token, base_url=base_url, timeout=timeout, clock=clock)
    try:
        yield broker
    finally:
        broker.close()


class Container(containers.DeclarativeContainer):
    """Wires legsync from configuration.

    ``config.broker`` chooses the broker: ``memory``, ``file`` (``config.positions_file``) or
    ``tradier`` (``config.tradier.token``, ``.base_url``, ``.timeout``). ``config.store``
    chooses the store: ``memory`` or ``sql`` (``config.database_url``). Adapters that hold
    resources (an engine, a connection pool) are ``Resource`` providers:
    ``container.shutdown_resources()`` closes them.
    """

    config = providers.Configuration(default={"broker": "memory", "store": "memory"})

    clock = providers.Singleton(SystemClock)

    store = providers.Selector(
        config.store,
        memory=providers.Singleton(_memory_database),
        sql=providers.Resource(_sql_store, url=config.database_url),
    )

    tradier = providers.Resource(
        _tradier_broker,
        token=config.tradier.token,
        base_url=config.tradier.base_url,
        timeout=config.tradier.timeout,
        clock=clock,
    )

    broker = providers.Selector(
        config.broker,
        memory=providers.Singleton(_memory_broker),
        file=providers.Singleton(_file_broker, path=config.positions_file, clock=clock),
        tradier=tradier,
    )

    quotes = providers.Selector(
        config.broker,
        memory=providers.Singleton(_memory_quotes),
        file=providers.Object(None),
        tradier=tradier,
    )

    account_directory = providers.Selector(
        config.broker,
        memory=broker,
        file=providers.Object(None),
        tradier=tradier,
    )

    sync_service = providers.Factory(
        SyncService,
        broker=broker,
        uow_factory=store,
        clock=clock,
        quotes=quotes,
    )

"""The composition root: the one place that decides which adapter serves which port.

Logic-free by design: configuration in, wired objects out. Tests swap an adapter in one line,
``container.broker.override(InMemoryBroker(...))``, and get every other part as configured.
"""

from __future__ import annotations

from dependency_injector import containers, providers

from legsync.application import SyncService

from .clock import SystemClock
from .memory import InMemoryBroker, InMemoryDatabase, InMemoryQuotes

__all__ = ["Container"]


class Container(containers.DeclarativeContainer):
    """Wires legsync from configuration.

    ``config.broker`` chooses the broker (``memory``); ``config.store`` chooses the store
    (``memory``). Adapters that hold resources (a database engine, an HTTP client) are
    ``Resource`` providers: ``container.shutdown_resources()`` closes them.
    """

    config = providers.Configuration(default={"broker": "memory", "store": "memory"})

    clock = providers.Singleton(SystemClock)

    store = providers.Selector(
        config.store,
        memory=providers.Singleton(InMemoryDatabase),
    )

    broker = providers.Selector(
        config.broker,
        memory=providers.Singleton(InMemoryBroker),
    )

    quotes = providers.Selector(
        config.broker,
        memory=providers.Singleton(InMemoryQuotes),
    )

    sync_service = providers.Factory(
        SyncService,
        broker=broker,
        uow_factory=store,
        clock=clock,
        quotes=quotes,
    )

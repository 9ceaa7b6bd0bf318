"""The composition root: the one place that decides which adapter serves which port.

Declarations only: configuration in, wired objects out (how each adapter is opened and closed
is :mod:`legsync.adapters.resources`). An embedding application gets every service the command
line uses from here, and a test swaps an adapter in one line,
``container.broker.override(InMemoryBroker(...))``, and gets every other part as configured.
"""

from __future__ import annotations

from dependency_injector import containers, providers

from legsync.application import SyncService
from legsync.application.reconcile import ReconcileService
from legsync.application.risk import RiskService
from legsync.application.trades import TradeService

from . import resources
from .clock import SystemClock

__all__ = ["Container"]


class Container(containers.DeclarativeContainer):
    """Wires legsync from configuration.

    ``config.broker`` chooses the broker: ``memory``, ``file`` (``config.positions_file``) or
    ``tradier`` (``config.tradier.token``, ``.base_url``, ``.timeout``), and with it the quote
    source: the broker itself, or for ``file`` a saved quotes response
    (``config.quotes_file``; none when unset). ``config.store``
    chooses the store: ``memory`` or ``sql`` (``config.database_url``; a new, empty database
    gets the schema, one that is not current is refused). ``config.max_mirror_age`` (a
    ``timedelta``) is how old a mirror the reconciliation and trade services still trust.
    Adapters that hold resources (an engine, a connection pool) are ``Resource`` providers:
    ``container.shutdown_resources()`` closes them.
    """

    config = providers.Configuration(default={"broker": "memory", "store": "memory"})

    clock = providers.Singleton(SystemClock)

    store = providers.Selector(
        config.store,
        memory=providers.Singleton(resources.memory_database),
        sql=providers.Resource(resources.sql_store, url=config.database_url),
    )

    tradier = providers.Resource(
        resources.tradier_broker,
        token=config.tradier.token,
        base_url=config.tradier.base_url,
        timeout=config.tradier.timeout,
        clock=clock,
    )

    broker = providers.Selector(
        config.broker,
        memory=providers.Singleton(resources.memory_broker),
        file=providers.Singleton(resources.file_broker, path=config.positions_file, clock=clock),
        tradier=tradier,
    )

    quotes = providers.Selector(
        config.broker,
        memory=providers.Singleton(resources.memory_quotes),
        file=providers.Singleton(resources.file_quotes, path=config.quotes_file),
        tradier=tradier,
    )

    account_directory = providers.Selector(
        config.broker,
        memory=broker,
        file=providers.Object(None),
        tradier=tradier,
    )

    sync_service = providers.Factory(
        SyncService, broker=broker, uow_factory=store, clock=clock, quotes=quotes
    )

    trade_service = providers.Factory(
        TradeService, uow_factory=store, clock=clock, max_age=config.max_mirror_age
    )

    reconcile_service = providers.Factory(
        ReconcileService, uow_factory=store, clock=clock, max_age=config.max_mirror_age
    )

    risk_service = providers.Factory(RiskService, uow_factory=store, clock=clock)

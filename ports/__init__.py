"""The interfaces legsync's application needs, as ``typing.Protocol``s; adapters implement them."""

from .broker import AccountDirectoryPort, BrokerPort, BrokerUnavailable, Marks, QuotePort
from .clock import Clock
from .repository import (
    PositionRepositoryPort,
    SyncRunRepositoryPort,
    TradeNotFound,
    TradeRepositoryPort,
)
from .unit_of_work import AccountBusy, UnitOfWork, UnitOfWorkFactory

__all__ = [
    "AccountBusy",
    "AccountDirectoryPort",
    "BrokerPort",
    "BrokerUnavailable",
    "Clock",
    "Marks",
    "PositionRepositoryPort",
    "QuotePort",
    "SyncRunRepositoryPort",
    "TradeNotFound",
    "TradeRepositoryPort",
    "UnitOfWork",
    "UnitOfWorkFactory",
]

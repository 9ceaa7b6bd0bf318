"""What legsync ships for tests, its own and its users': fakes, builders, contract suites and
hypothesis strategies.

- The in-memory adapters (``InMemoryBroker``, ``InMemoryDatabase``, ``InMemoryQuotes``) are
  fakes that pass the same contract suites as the real adapters, so code tested against them
  behaves the same against SQLite, PostgreSQL or Tradier. ``ManualClock`` moves when told.
- ``position()`` builds a broker row, ``leg()`` a mirrored leg and ``shares()`` a mirrored
  stock position.
- ``legsync.testing.contracts`` holds the contract suites (needs pytest) and
  ``legsync.testing.strategies`` the hypothesis strategies for OCC symbols (needs hypothesis):
  install the ``test`` extra for those two.
"""

from .builders import ACCOUNT, AT, leg, position, shares
from .clock import ManualClock
from .fakes import (
    InMemoryBroker,
    InMemoryDatabase,
    InMemoryPositionRepository,
    InMemoryQuotes,
    InMemorySyncRunRepository,
    InMemoryTradeRepository,
    InMemoryUnitOfWork,
)

__all__ = [
    "ACCOUNT",
    "AT",
    "InMemoryBroker",
    "InMemoryDatabase",
    "InMemoryPositionRepository",
    "InMemoryQuotes",
    "InMemorySyncRunRepository",
    "InMemoryTradeRepository",
    "InMemoryUnitOfWork",
    "ManualClock",
    "leg",
    "position",
    "shares",
]

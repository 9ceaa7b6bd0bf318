"""Deprecated: the in-memory fakes live in :mod:`legsync.testing` now.

This module re-exports them for one release, with a ``DeprecationWarning``.
"""

import warnings

from legsync.testing import (
    InMemoryBroker,
    InMemoryDatabase,
    InMemoryPositionRepository,
    InMemoryQuotes,
    InMemorySyncRunRepository,
    InMemoryTradeRepository,
    InMemoryUnitOfWork,
    position,
)

warnings.warn(
    "legsync.adapters.memory moved to legsync.testing; the old path goes away in the next release",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = [
    "InMemoryBroker",
    "InMemoryDatabase",
    "InMemoryPositionRepository",
    "InMemoryQuotes",
    "InMemorySyncRunRepository",
    "InMemoryTradeRepository",
    "InMemoryUnitOfWork",
    "position",
]

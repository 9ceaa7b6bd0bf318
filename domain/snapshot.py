"""What a broker reported for one account, before legsync made any sense of it.

Kept raw on purpose: the sync, not the broker adapter, decides which rows are option legs,
which are stock and which cannot be used, so every adapter gets the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

__all__ = ["BrokerPosition", "BrokerSnapshot"]


class BrokerPosition(NamedTuple):
    """One row of the broker's positions: a symbol, a signed quantity, a total cost basis.

    A named tuple rather than a dataclass, like :class:`~legsync.domain.OccSymbol`: a broker
    adapter builds one per row of every read, and a tuple is built in half the time. (The
    cyclic collector still walks it while it lives: CPython untracks only exact tuples.) Change
    one with ``row._replace(quantity=...)``.
    """

    symbol: str
    quantity: Decimal
    cost_basis: Decimal | None = None
    date_acquired: datetime | None = None


@dataclass(frozen=True, slots=True)
class BrokerSnapshot:
    """Every position the broker holds for one account, read successfully at ``fetched_at``.

    An empty ``positions`` is an explicit, successfully parsed "no positions" answer; a read
    that failed is never a snapshot (the broker port raises instead).
    """

    account_id: str
    positions: tuple[BrokerPosition, ...]
    fetched_at: datetime

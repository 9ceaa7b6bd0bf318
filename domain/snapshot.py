"""What a broker reported for one account, before legsync made any sense of it.

Kept raw on purpose: the sync, not the broker adapter, decides which rows are option legs,
which are stock and which cannot be used, so every adapter gets the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

__all__ = ["BrokerPosition", "BrokerSnapshot"]


@dataclass(frozen=True, slots=True)
class BrokerPosition:
    """One row of the broker's positions: a symbol, a signed quantity, a total cost basis.

    Typed as the broker adapter read it, not yet checked: whether the row is an option leg,
    stock or garbage is the sync's decision (``dataclasses.replace`` changes one field).
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

"""What the application needs from a broker: one account's positions, marks, and accounts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, runtime_checkable

from legsync.domain import BrokerSnapshot

__all__ = [
    "AccountDirectoryPort",
    "BrokerPort",
    "BrokerUnavailable",
    "Marks",
    "QuotePort",
]


class BrokerUnavailable(Exception):
    """Every failed read, whatever its cause: network, timeout, auth, rate limit, garbage.

    One type on purpose: the sync must treat them all alike (change nothing, emit nothing),
    and a caller that forgets one cause would otherwise wipe a mirror. ``reason`` is safe to
    show: adapters never put a credential in it.
    """

    def __init__(self, reason: str, *, account_id: str | None = None, transient: bool = False):
        self.reason = reason
        self.account_id = account_id
        self.transient = transient
        where = f" for account {account_id}" if account_id else ""
        super().__init__(f"broker read failed{where}: {reason}")


@runtime_checkable
class BrokerPort(Protocol):
    """Reads one account's positions.

    Returns a :class:`~legsync.domain.BrokerSnapshot` only for a successful, fully parsed
    answer (empty only when the broker explicitly said "no positions"); raises
    :class:`BrokerUnavailable` for anything else.
    """

    def fetch_positions(self, account_id: str) -> BrokerSnapshot: ...


@dataclass(frozen=True, slots=True)
class Marks:
    """Current prices for option symbols; what could not be priced is said, not guessed."""

    prices: dict[str, Decimal] = field(default_factory=dict)
    unmatched: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@runtime_checkable
class QuotePort(Protocol):
    """Prices held contracts (compact OCC symbols) and shares (stock tickers) for
    ``last_price``.

    May raise :class:`BrokerUnavailable`; a failed quote read never fails a position sync.
    """

    def fetch_marks(self, occ_symbols: Sequence[str]) -> Marks: ...


@runtime_checkable
class AccountDirectoryPort(Protocol):
    """Lists the accounts a credential can read, so a user can sync all of them."""

    def list_accounts(self) -> tuple[str, ...]: ...

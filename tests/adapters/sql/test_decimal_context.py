"""A sync stores the same values whatever decimal context the calling thread has set.

An application embedding legsync may run with a context of its own (a low precision, a
lowercase exponent, traps on rounding). Every stored value is the broker's, exactly: a context
that rounds or spells numbers differently must change nothing, and a trap must never fire.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import (
    ROUND_DOWN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Rounded,
    localcontext,
)

import pytest

from legsync.adapters.sql import SqlStore
from legsync.adapters.tradier import RateLimiter, RetryPolicy, TradierBroker
from legsync.application import SyncService
from legsync.domain import BrokerPosition
from legsync.testing import ManualClock
from tests.support.tradier_server import (
    Reply,
    TradierServer,
    positions_body,
    quotes_body,
    tradier_server,
)

ACCOUNT = "VA000001"
NOW = datetime(2027, 3, 1, 14, 30, tzinfo=UTC)

HOSTILE = Context(
    prec=3,
    rounding=ROUND_DOWN,
    capitals=0,
    traps=[Inexact, Rounded, InvalidOperation, DivisionByZero, Overflow],
)
"""Three digits, truncating, lowercase exponents, and a trap on anything inexact."""

ROWS = (
    # $100.00 for three contracts: 34 digits a contract, in the sync's money context.
    BrokerPosition("SPY270319P00540500", Decimal("3.00000000"), Decimal("100.00")),
    # A strike of 4,500 (written 4.5e+3 by such a context) and a large cost basis.
    BrokerPosition("SPXW270331C04500000", Decimal("-7.00000000"), Decimal("-123456.78")),
    # An unusual strike and a cost of 2,500.00 a contract: both normalize to an exponent.
    BrokerPosition("NDX270331P09870000", Decimal("2.00000000"), Decimal("5000.00")),
)
QUOTES = (
    {"symbol": "SPY270319P00540500", "last": None, "bid": "1.23", "ask": "1.24"},
    {"symbol": "SPXW270331C04500000", "last": "12.345"},
    {"symbol": "NDX270331P09870000", "last": "3000.00"},
)


@pytest.fixture
def server() -> Iterator[TradierServer]:
    with tradier_server() as running:
        running.reply("GET", f"/accounts/{ACCOUNT}/positions", Reply(body=positions_body(ROWS)))
        running.reply("POST", "/markets/quotes", Reply(body=quotes_body(QUOTES)))
        yield running


@pytest.fixture
def service(server: TradierServer, store: SqlStore) -> Iterator[SyncService]:
    clock = ManualClock(NOW)
    with TradierBroker(
        "token",
        base_url=server.base_url,
        timeout=5,
        retry=RetryPolicy(attempts=1),
        rate_limiter=RateLimiter(clock=clock, sleep=lambda seconds: None),
        clock=clock,
    ) as broker:
        yield SyncService(broker, store, clock, quotes=broker)


def stored(store: SqlStore) -> dict[str, tuple[object, ...]]:
    with store() as uow:
        return {
            leg.occ_symbol: (
                leg.side.value,
                leg.quantity,
                leg.strike,
                leg.cost_basis_per_contract,
                leg.last_price,
            )
            for leg in uow.positions.all_legs(ACCOUNT)
        }


EXPECTED = {
    "SPY270319P00540500": (
        "long",
        3,
        Decimal("540.5"),
        Decimal("33.33333333333333333333333333333333"),
        Decimal("1.235"),
    ),
    "SPXW270331C04500000": (
        "short",
        7,
        Decimal("4500"),
        Decimal("17636.68285714285714285714285714286"),
        Decimal("12.345"),
    ),
    "NDX270331P09870000": ("long", 2, Decimal("9870"), Decimal("2500"), Decimal("3000")),
}


def test_a_sync_under_a_hostile_decimal_context_stores_the_brokers_values_exactly(
    service: SyncService, store: SqlStore
) -> None:
    with localcontext(HOSTILE):
        first = service.sync(ACCOUNT, marks=True)
        again = service.sync(ACCOUNT, marks=True)
    assert first.clean, first
    assert first.counts.opened == 3
    assert again.clean, again
    assert again.counts.unchanged == 3  # the same values: no leg reads as changed
    assert stored(store) == EXPECTED


def test_a_resync_under_a_hostile_context_finds_a_default_syncs_legs_unchanged(
    service: SyncService, store: SqlStore
) -> None:
    result = service.sync(ACCOUNT, marks=True)
    assert result.clean, result
    assert stored(store) == EXPECTED
    with localcontext(HOSTILE):
        again = service.sync(ACCOUNT, marks=True)
    assert again.clean, again
    assert again.counts.unchanged == 3


@pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL stores NUMERIC, not text
def test_on_sqlite_the_stored_text_is_canonical_under_a_hostile_context(
    service: SyncService, store: SqlStore
) -> None:
    with localcontext(HOSTILE):
        assert service.sync(ACCOUNT, marks=True).clean
    with store() as uow:
        found = uow.connection().exec_driver_sql(
            "SELECT id, strike, cost_basis_per_contract, last_price FROM portfolio_positions"
            " WHERE root = 'NDX'"
        )
        assert found.all() == [("VA000001|NDX|2027-03-31|put|9870|long", "9870", "2500", "3000")]

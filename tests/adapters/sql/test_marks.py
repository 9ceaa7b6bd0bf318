"""When each mark was taken, on a real database (a SQLite file and a PostgreSQL server).

A sync with marks stamps ``marked_at`` on every leg and share a fresh mark priced; a mark at
the stored price rewrites only that time, silently; a failed quote read or a sync without
marks writes nothing and keeps the time of the last mark.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from legsync.adapters.sql import SqlStore
from legsync.application import SyncService
from legsync.domain import OptionLeg, PositionSynced, StockPosition
from legsync.ports import BrokerUnavailable
from legsync.testing import InMemoryBroker, InMemoryQuotes, ManualClock, position

from .test_stock import writes

ACCOUNT = "VA000001"
BOOK = [
    position("SPY270319P00400000", "-2", "-310.00"),
    position("SPY270319P00395000", "2", "180.00"),
    position("AAPL", "100", "18342.50"),
]


def mirrored(store: SqlStore) -> tuple[dict[str, OptionLeg], dict[str, StockPosition]]:
    with store() as uow:
        legs = {leg.occ_symbol: leg for leg in uow.positions.all_legs(ACCOUNT)}
        shares = {p.symbol: p for p in uow.positions.stock(ACCOUNT)}
    return legs, shares


def test_each_mark_is_stamped_with_when_it_was_taken_and_kept_until_the_next(
    store: SqlStore,
) -> None:
    clock = ManualClock()
    quotes = InMemoryQuotes({"SPY270319P00400000": "1.42", "AAPL": "191.07"})
    service = SyncService(InMemoryBroker({ACCOUNT: BOOK}, clock=clock), store, clock, quotes=quotes)

    first = clock.now()
    assert service.sync(ACCOUNT, marks=True).clean
    legs, shares = mirrored(store)
    assert legs["SPY270319P00400000"].marked_at == first
    assert legs["SPY270319P00395000"].marked_at is None, "no quote: never marked"
    assert shares["AAPL"].marked_at == first

    # The same prices again: the rows are rewritten for their marked_at alone, silently.
    again = clock.advance(timedelta(minutes=1))
    with writes(store) as sent:
        result = service.sync(ACCOUNT, marks=True)
    assert result.clean
    assert (result.counts.unchanged, result.counts.changed) == (2, 0)
    assert (result.counts.stock_unchanged, result.counts.stock_changed) == (1, 0)
    assert (result.events, result.stock_events) == ((), ())
    assert len(sent) == 2, "one upsert of the re-marked leg, one of the re-marked shares"
    legs, shares = mirrored(store)
    assert (legs["SPY270319P00400000"].marked_at, legs["SPY270319P00400000"].updated_at) == (
        again,
        first,
    )
    assert legs["SPY270319P00395000"].marked_at is None
    assert (shares["AAPL"].marked_at, shares["AAPL"].updated_at) == (again, first)
    before = mirrored(store)

    # A failed quote read, then a sync without marks: nothing written, the old times kept.
    clock.advance(timedelta(minutes=1))
    quotes.failure = BrokerUnavailable("429 rate limited")
    with writes(store) as sent:
        assert service.sync(ACCOUNT, marks=True).success
        clock.advance(timedelta(minutes=1))
        assert service.sync(ACCOUNT).clean
    assert sent == []
    assert mirrored(store) == before

    # A new price is a change, announced, stamped now twice over.
    moved = clock.advance(timedelta(minutes=1))
    quotes.failure = None
    quotes.prices["SPY270319P00400000"] = Decimal("1.55")
    result = service.sync(ACCOUNT, marks=True)
    (event,) = result.events
    assert isinstance(event, PositionSynced)
    assert event.previous is not None
    assert event.previous.marked_at == again
    legs, _ = mirrored(store)
    spy = legs["SPY270319P00400000"]
    assert (spy.last_price, spy.marked_at, spy.updated_at) == (Decimal("1.55"), moved, moved)

"""End to end over a real socket: the sync service reading Tradier's wire format from a local
server into the in-memory store. A failed read in the middle of good ones, whatever the way it
fails, leaves the store exactly as the last good read left it and announces nothing."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest

from legsync.adapters.tradier import RateLimiter, RetryPolicy, TradierBroker
from legsync.application import SyncService, position_removed, position_synced
from legsync.domain import BrokerPosition, PositionEvent
from legsync.testing import InMemoryDatabase, ManualClock
from tests.support.tradier_server import (
    Reply,
    TradierServer,
    fault_body,
    positions_body,
    quotes_body,
    tradier_server,
)

ACCOUNT = "VA000001"
POSITIONS = f"/accounts/{ACCOUNT}/positions"
TOKEN = "SENTINEL-e2e-4b1d-TOKEN"


def row(symbol: str, quantity: str, cost_basis: str | None = None) -> BrokerPosition:
    return BrokerPosition(
        symbol, Decimal(quantity), None if cost_basis is None else Decimal(cost_basis)
    )


FIRST = (
    row("AAPL", "100.00000000", "18342.50"),
    row("SPY270319P00540000", "-2.00000000", "-1184.00"),
    row("SPY270319P00530000", "2.00000000", "862.00"),
    row("SPXW270331C06800000", "1.00000000", "4210.00"),
)
SECOND = (  # the spread was halved, the SPXW call sold, an iron condor opened
    row("AAPL", "100.00000000", "18342.50"),
    row("SPY270319P00540000", "-1.00000000", "-592.00"),
    row("SPY270319P00530000", "1.00000000", "431.00"),
    row("IWM270115P00200000", "-1.00000000", "-391.00"),
    row("IWM270115P00195000", "1.00000000", "268.00"),
    row("IWM270115C00250000", "-1.00000000", "-344.00"),
    row("IWM270115C00255000", "1.00000000", "221.00"),
)
THIRD = SECOND[3:]  # the spread closed

FAILED_READS: dict[str, tuple[Reply, ...]] = {
    "401 invalid token": (Reply(status=401, body=fault_body("Invalid Access Token")),),
    "500 expired token": (Reply(status=500, body=fault_body("Access Token expired")),),
    "500 datastore error, every attempt": (Reply(status=500, body=fault_body("Datastore Error")),),
    "502 xml gateway fault": (
        Reply(
            status=502,
            body=b"<fault><faultstring>Gateway Timeout</faultstring></fault>",
            content_type="text/xml",
        ),
    ),
    "429 every attempt": (Reply(status=429),),
    "200 html page": (Reply(body=b"<html><body>Docs</body></html>", content_type="text/html"),),
    "200 errors body": (Reply(body=b'{"errors": {"error": "Account is restricted"}}'),),
    "200 truncated json": (Reply(body=positions_body(SECOND)[:-40]),),
    "200 without positions": (Reply(body=b'{"account": {}}'),),
    "200 row without quantity": (
        Reply(body=b'{"positions": {"position": {"symbol": "IWM270115P00200000"}}}'),
    ),
    "200 non-numeric quantity": (
        Reply(body=b'{"positions": {"position": {"symbol": "AAPL", "quantity": "all"}}}'),
    ),
    "timeout": (Reply(body=positions_body(()), delay=1.0),),
    "connection dropped mid-body": (Reply(body=positions_body(()) + b" " * 100, cut_after=12),),
}


@pytest.fixture
def server() -> Iterator[TradierServer]:
    with tradier_server() as running:
        yield running


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def broker(server: TradierServer, clock: ManualClock) -> Iterator[TradierBroker]:
    with TradierBroker(
        TOKEN,
        base_url=server.base_url,
        timeout=0.2,
        retry=RetryPolicy(attempts=2, total_seconds=5, wait_initial=0, wait_max=0, wait_jitter=0),
        rate_limiter=RateLimiter(clock=clock, sleep=lambda seconds: None),
        clock=clock,
    ) as tradier:
        yield tradier


@pytest.fixture
def db() -> InMemoryDatabase:
    return InMemoryDatabase()


@pytest.fixture
def service(broker: TradierBroker, db: InMemoryDatabase, clock: ManualClock) -> SyncService:
    return SyncService(broker, db, clock, quotes=broker)


@pytest.fixture
def heard() -> Iterator[list[PositionEvent]]:
    events: list[PositionEvent] = []

    def hear(sender: object, event: PositionEvent) -> None:
        events.append(event)

    position_synced.connect(hear, weak=False)
    position_removed.connect(hear, weak=False)
    yield events
    position_synced.disconnect(hear)
    position_removed.disconnect(hear)


def answer(server: TradierServer, *replies: Reply) -> None:
    server.reply("GET", POSITIONS, *replies)


def symbols(db: InMemoryDatabase) -> list[str]:
    return sorted(leg.occ_symbol for leg in db.positions.all_legs(ACCOUNT))


def test_good_reads_mirror_each_answer(
    server: TradierServer, service: SyncService, db: InMemoryDatabase, clock: ManualClock
) -> None:
    for book in (FIRST, SECOND, THIRD):
        answer(server, Reply(body=positions_body(book)))
        result = service.sync(ACCOUNT)
        assert result.clean, result.reason
        assert symbols(db) == sorted(p.symbol for p in book if p.symbol != "AAPL")
        clock.advance(timedelta(minutes=1))


@pytest.mark.parametrize("failure", FAILED_READS.values(), ids=FAILED_READS.keys())
def test_a_failed_read_between_good_ones_leaves_the_store_as_the_last_good_read_left_it(
    server: TradierServer,
    service: SyncService,
    db: InMemoryDatabase,
    clock: ManualClock,
    heard: list[PositionEvent],
    caplog: pytest.LogCaptureFixture,
    failure: tuple[Reply, ...],
) -> None:
    caplog.set_level(logging.DEBUG)
    for book in (FIRST, SECOND):
        answer(server, Reply(body=positions_body(book)))
        assert service.sync(ACCOUNT).clean
        clock.advance(timedelta(minutes=1))
    after_last_good = db.positions.all_legs()
    written, deleted = db.positions.rows_written, db.positions.rows_deleted
    heard.clear()

    answer(server, *failure)
    result = service.sync(ACCOUNT)

    assert not result.success
    assert result.reason
    assert db.positions.all_legs() == after_last_good, "not one leg added, changed or removed"
    assert (db.positions.rows_written, db.positions.rows_deleted) == (written, deleted)
    assert heard == []
    last_run = db.sync_runs.last_run(ACCOUNT)
    assert last_run is not None
    assert not last_run.success
    assert TOKEN not in (last_run.error or "")
    assert TOKEN not in result.reason
    assert all(TOKEN not in record.getMessage() for record in caplog.records)

    clock.advance(timedelta(minutes=1))
    answer(server, Reply(body=positions_body(THIRD)))
    assert service.sync(ACCOUNT).clean
    assert symbols(db) == sorted(p.symbol for p in THIRD)


def test_a_failed_quote_read_does_not_fail_the_position_sync(
    server: TradierServer, service: SyncService, db: InMemoryDatabase
) -> None:
    answer(server, Reply(body=positions_body(THIRD)))
    server.reply("POST", "/markets/quotes", Reply(status=503))
    result = service.sync(ACCOUNT, marks=True)
    assert result.clean
    assert symbols(db) == sorted(p.symbol for p in THIRD)
    assert any("marks not updated" in warning for warning in result.warnings)


def test_marks_from_quotes_land_on_the_legs(
    server: TradierServer, service: SyncService, db: InMemoryDatabase
) -> None:
    answer(server, Reply(body=positions_body(THIRD)))
    quotes = [{"symbol": p.symbol, "last": Decimal("1.25")} for p in THIRD[:3]]
    server.reply("POST", "/markets/quotes", Reply(body=quotes_body(quotes, [THIRD[3].symbol])))
    result = service.sync(ACCOUNT, marks=True)
    assert result.clean
    prices = {leg.occ_symbol: leg.last_price for leg in db.positions.all_legs(ACCOUNT)}
    assert prices == {
        THIRD[0].symbol: Decimal("1.25"),
        THIRD[1].symbol: Decimal("1.25"),
        THIRD[2].symbol: Decimal("1.25"),
        THIRD[3].symbol: None,
    }
    assert any(THIRD[3].symbol in warning for warning in result.warnings)

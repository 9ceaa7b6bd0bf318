"""The sync's invariants over random histories of snapshots, failures, garbage and duplicates.

After every clean sync the store equals the snapshot; after a failed read it is what it was;
a sync with unusable rows deletes nothing; replaying the published events on an empty map gives
the store; and a repeated snapshot publishes nothing. Books mix stock with option legs, and each
invariant covers the shares (``portfolio_stock``) as well as the legs.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from legsync.application import (
    SyncService,
    plan_sync,
    position_removed,
    position_synced,
    stock_position_removed,
    stock_position_synced,
)
from legsync.domain import (
    BrokerPosition,
    BrokerSnapshot,
    LegKey,
    OptionLeg,
    PositionEvent,
    PositionSynced,
    StockEvent,
    StockPosition,
    StockPositionSynced,
    StoredLegs,
)
from legsync.ports import BrokerUnavailable
from legsync.testing import InMemoryBroker, InMemoryDatabase, ManualClock, position

ACCOUNT = "VA000001"
CONTRACTS = [
    "SPY270319P00400000",
    "SPY270319P00395000",
    "SPX270319C05800000",
    "SPXW270319C05800000",
    "AAPL1270115C00200000",
    "QQQ270618P00450500",
]
GARBAGE = ["SPY270319P0040000", "SPY271319P00400000", "spy270319p00400000", "SPY270319X00400000"]
TICKERS = ["AAPL", "SPY", "BRK.B", "TSLA"]
GARBLED_STOCK = [
    BrokerPosition("AAPL", Decimal(0), Decimal(1)),
    BrokerPosition("TSLA", Decimal("NaN"), None),
    BrokerPosition("SPY", Decimal(5), Decimal("Infinity")),
]

rows = st.tuples(
    st.sampled_from(CONTRACTS),
    st.sampled_from([-3, -2, -1, 1, 2, 3]),
    st.sampled_from(["100", "155.50", "-310", "0.03"]),
)
stock_rows = st.tuples(
    st.sampled_from(TICKERS),
    st.sampled_from(["-50", "-1", "0.5", "1", "100", "100.00000000"]),
    st.sampled_from(["1000", "-2500.50", "0.03", None]),
)
option_books = st.lists(rows, max_size=8, unique_by=lambda r: (r[0], r[1] > 0)).map(
    lambda book: [position(symbol, qty, cost) for symbol, qty, cost in book]
)
stock_books = st.lists(stock_rows, max_size=4, unique_by=lambda r: r[0]).map(
    lambda book: [position(symbol, qty, cost) for symbol, qty, cost in book]
)
books = st.tuples(option_books, stock_books).flatmap(
    lambda parts: st.permutations([*parts[0], *parts[1]])
)

Key = LegKey | tuple[str, str]
Contents = dict[Key, tuple[object, Decimal | None]]


def contents(legs: list[OptionLeg], shares: list[StockPosition]) -> Contents:
    held: Contents = {leg.key: (leg.quantity, leg.cost_basis_per_contract) for leg in legs}
    for p in shares:
        held[(p.account_id, p.symbol)] = (p.quantity, p.cost_basis_per_share)
    return held


def expected_from(book: list[BrokerPosition]) -> Contents:

    plan = plan_sync(
        BrokerSnapshot(ACCOUNT, tuple(book), ManualClock().now()),
        StoredLegs(ACCOUNT),
        ManualClock().now(),
    )
    return contents(list(plan.opened), list(plan.stock_opened))


class SyncHistory(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.broker = InMemoryBroker({ACCOUNT: ()}, clock=self.clock)
        self.db = InMemoryDatabase()
        self.service = SyncService(self.broker, self.db, self.clock)
        self.heard: list[PositionEvent | StockEvent] = []
        self.replayed: dict[LegKey, OptionLeg] = {}
        self.replayed_stock: dict[str, StockPosition] = {}
        self.last_book: list[BrokerPosition] | None = None
        position_synced.connect(self.hear, sender=self.service)
        position_removed.connect(self.hear, sender=self.service)
        stock_position_synced.connect(self.hear_stock, sender=self.service)
        stock_position_removed.connect(self.hear_stock, sender=self.service)

    def hear(self, sender: object, event: PositionEvent) -> None:
        self.heard.append(event)
        if isinstance(event, PositionSynced):
            self.replayed[event.leg.key] = event.leg
        else:
            del self.replayed[event.leg.key]

    def hear_stock(self, sender: object, event: StockEvent) -> None:
        self.heard.append(event)
        if isinstance(event, StockPositionSynced):
            self.replayed_stock[event.position.symbol] = event.position
        else:
            del self.replayed_stock[event.position.symbol]

    def store(self) -> Contents:
        return contents(self.db.positions.all_legs(ACCOUNT), self.db.positions.stock(ACCOUNT))

    def sync(self, book: list[BrokerPosition] | Exception) -> None:
        self.clock.advance(timedelta(seconds=30))
        self.heard.clear()
        self.broker.script(ACCOUNT, book)
        self.result = self.service.sync(ACCOUNT)

    @rule(book=books)
    def a_clean_snapshot_becomes_the_store(self, book: list[BrokerPosition]) -> None:
        self.sync(book)
        assert self.result.success
        assert self.result.pruned
        assert self.store() == expected_from(book)
        self.last_book = book

    @rule()
    def a_failed_read_changes_nothing(self) -> None:
        before = self.store()
        self.sync(BrokerUnavailable("connection reset", account_id=ACCOUNT))
        assert not self.result.success
        assert self.store() == before
        assert self.heard == []

    @rule(book=books, garbage=st.sampled_from(GARBAGE), at=st.integers(0, 8))
    def unusable_rows_delete_nothing(
        self, book: list[BrokerPosition], garbage: str, at: int
    ) -> None:
        before = self.store()
        self.sync([*book[:at], position(garbage, "-1", "50"), *book[at:]])
        assert self.result.success
        assert not self.result.pruned
        assert set(before) <= set(self.store())
        assert self.store() == {**before, **expected_from(book)}
        self.last_book = None

    @rule(book=books.filter(bool), which=st.integers(0, 7))
    def duplicated_rows_are_reported_and_not_applied(
        self, book: list[BrokerPosition], which: int
    ) -> None:
        before = self.store()
        twin = book[which % len(book)]
        self.sync([*book, BrokerPosition(twin.symbol, twin.quantity * 2, twin.cost_basis)])
        assert len(self.result.errors) == 2
        assert not self.result.pruned
        duplicated = next(iter(expected_from([twin])))
        assert self.store().get(duplicated) == before.get(duplicated)
        assert set(before) <= set(self.store())
        self.last_book = None

    @precondition(lambda self: self.last_book is not None)
    @rule()
    def a_repeated_snapshot_publishes_nothing(self) -> None:
        written = self.db.positions.rows_written
        deleted = self.db.positions.rows_deleted
        assert self.last_book is not None
        self.sync(self.last_book)
        assert self.heard == []
        assert self.db.positions.rows_written == written
        assert self.db.positions.rows_deleted == deleted

    @invariant()
    def replaying_the_events_reproduces_the_store(self) -> None:
        assert self.replayed == self.db.positions.legs_by_key(ACCOUNT)
        assert self.replayed_stock == {p.symbol: p for p in self.db.positions.stock(ACCOUNT)}

    def teardown(self) -> None:
        position_synced.disconnect(self.hear)
        position_removed.disconnect(self.hear)
        stock_position_synced.disconnect(self.hear_stock)
        stock_position_removed.disconnect(self.hear_stock)


SyncHistory.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
TestSyncHistory = SyncHistory.TestCase

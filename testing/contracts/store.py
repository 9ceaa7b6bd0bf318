"""The store contract: what every ``UnitOfWork`` and its repositories promise.

The in-memory store, SQLite and PostgreSQL all run these same tests; a store that passes them
can sit under the sync without the sync knowing which one it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from legsync.domain import (
    OptionLeg,
    Origin,
    Side,
    StockPosition,
    SyncCounts,
    SyncRun,
    Trade,
    TradeEnvelope,
    TradeLeg,
    TradeStatus,
    parse_occ_symbol,
)
from legsync.ports import TradeNotFound, UnitOfWorkFactory

from ..builders import leg as build_leg

__all__ = ["StoreContract"]

ACCOUNT = "VA000001"
OTHER_ACCOUNT = "6YA000002"
T0 = datetime(2027, 3, 1, 14, 30, 0, 123456, tzinfo=UTC)
MARKED = T0 + timedelta(minutes=7, microseconds=654321)
"""When a mark was taken: a moment of its own, with microseconds, unlike any ``updated_at``."""


def make_leg(
    symbol: str = "SPY270319C00450000",
    side: Side = Side.LONG,
    quantity: int = 1,
    *,
    account_id: str = ACCOUNT,
    cost_basis_per_contract: Decimal | None = Decimal("155.5"),
    last_price: Decimal | None = None,
    updated_at: datetime = T0,
    marked_at: datetime | None = None,
) -> OptionLeg:
    return replace(
        build_leg(symbol, quantity if side is Side.LONG else -quantity, account_id=account_id),
        cost_basis_per_contract=cost_basis_per_contract,
        last_price=last_price,
        updated_at=updated_at,
        marked_at=marked_at,
    )


def make_stock(
    symbol: str = "AAPL",
    quantity: str = "100",
    *,
    account_id: str = ACCOUNT,
    cost_basis_per_share: Decimal | None = Decimal("183.425"),
    last_price: Decimal | None = None,
    updated_at: datetime = T0,
    marked_at: datetime | None = None,
) -> StockPosition:
    return StockPosition(
        account_id,
        symbol,
        Decimal(quantity),
        cost_basis_per_share,
        last_price,
        updated_at,
        marked_at,
    )


def make_trade(managed: bool | None = True, **changes: object) -> Trade:
    trade = Trade(
        id=None,
        account_id=ACCOUNT,
        symbol="SPY",
        legs=(
            TradeLeg(parse_occ_symbol("SPY270319P00400000"), Side.SHORT),
            TradeLeg(parse_occ_symbol("SPY270319P00395000"), Side.LONG),
        ),
        quantity=2,
        managed=managed,
        opened_at=T0,
        entry_price=Decimal("1.25"),
    )
    return replace(trade, **changes)  # type: ignore[arg-type]


class StoreContract:
    """Override :meth:`uow_factory` to return a factory over a fresh, empty, ready store."""

    @pytest.fixture
    def uow_factory(self) -> Iterator[UnitOfWorkFactory]:
        raise NotImplementedError("a store contract subclass must override the uow_factory fixture")

    # --- positions ---------------------------------------------------------------------------

    def test_a_new_store_holds_no_legs(self, uow_factory: UnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            assert uow.positions.all_legs() == []
            assert uow.positions.all_legs(ACCOUNT) == []
            assert uow.positions.legs_by_key(ACCOUNT) == {}
            assert uow.positions.accounts() == []

    def test_committed_legs_read_back_equal_in_key_order(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        legs = [
            make_leg("SPY270319P00400000", Side.SHORT, 2),
            make_leg("AAPL270115C00200000"),
            make_leg("SPY270319P00395000", Side.LONG, 2),
        ]
        with uow_factory() as uow:
            uow.positions.upsert(legs)
            uow.commit()
        with uow_factory() as uow:
            stored = uow.positions.all_legs(ACCOUNT)
        assert stored == sorted(legs, key=lambda leg: _order(leg))
        assert [leg.updated_at for leg in stored] == [T0, T0, T0]
        assert all(leg.updated_at.tzinfo is not None for leg in stored)

    def test_upsert_replaces_the_leg_with_the_same_key(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            uow.positions.upsert([make_leg(quantity=1)])
            uow.commit()
        later = T0 + timedelta(minutes=5)
        changed = make_leg(quantity=3, last_price=Decimal("2.15"), updated_at=later)
        with uow_factory() as uow:
            uow.positions.upsert([changed])
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.all_legs(ACCOUNT) == [changed]

    def test_long_and_short_and_spx_and_spxw_are_separate_rows(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        legs = [
            make_leg("SPX270319P04500000", Side.LONG),
            make_leg("SPX270319P04500000", Side.SHORT),
            make_leg("SPXW270319P04500000", Side.LONG),
        ]
        with uow_factory() as uow:
            uow.positions.upsert(legs)
            uow.commit()
        with uow_factory() as uow:
            assert len(uow.positions.all_legs(ACCOUNT)) == 3
            assert set(uow.positions.legs_by_key(ACCOUNT)) == {leg.key for leg in legs}

    def test_strikes_and_money_read_back_exactly(self, uow_factory: UnitOfWorkFactory) -> None:
        legs = [
            make_leg(
                "XYZ270319C99999999",
                cost_basis_per_contract=Decimal("33.33333333333333333333333333"),
                last_price=Decimal("0.005"),
            ),
            make_leg(
                "XYZ270319C00000001",
                cost_basis_per_contract=Decimal("0.01"),
                last_price=Decimal("12345678.9"),
            ),
            make_leg("XYZ270319P00002010", cost_basis_per_contract=None, last_price=None),
        ]
        with uow_factory() as uow:
            uow.positions.upsert(legs)
            uow.commit()
        with uow_factory() as uow:
            stored = {leg.key: leg for leg in uow.positions.all_legs(ACCOUNT)}
        for leg in legs:
            back = stored[leg.key]
            assert back.strike == leg.strike
            assert back.cost_basis_per_contract == leg.cost_basis_per_contract
            assert back.last_price == leg.last_price
            for value in (back.strike, back.cost_basis_per_contract, back.last_price):
                assert value is None or isinstance(value, Decimal)
        assert stored[legs[2].key].occ_symbol == "XYZ270319P00002010"

    def test_legs_by_key_holds_only_the_accounts_legs(self, uow_factory: UnitOfWorkFactory) -> None:
        mine, theirs = make_leg(), make_leg(account_id=OTHER_ACCOUNT)
        with uow_factory() as uow:
            uow.positions.upsert([mine, theirs])
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.legs_by_key(ACCOUNT) == {mine.key: mine}
            assert uow.positions.all_legs() == sorted([mine, theirs], key=_order)
            assert uow.positions.accounts() == sorted([ACCOUNT, OTHER_ACCOUNT])

    def test_stored_legs_hold_a_record_per_side_and_contract_of_the_account(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        long_call = make_leg("SPXW270319C05800000", cost_basis_per_contract=Decimal("1.005"))
        short_call = make_leg("SPXW270319C05800000", Side.SHORT, 3, last_price=Decimal("2.50"))
        no_cost = make_leg("XYZ270319P00002010", cost_basis_per_contract=None)
        theirs = make_leg(account_id=OTHER_ACCOUNT)
        with uow_factory() as uow:
            uow.positions.upsert([long_call, short_call, no_cost, theirs])
            uow.commit()
        with uow_factory() as uow:
            stored = uow.positions.stored_legs(ACCOUNT)
            assert stored.account_id == ACCOUNT
            spxw, xyz = (
                parse_occ_symbol("SPXW270319C05800000"),
                parse_occ_symbol("XYZ270319P00002010"),
            )
            assert set(stored.long) == {spxw, xyz}
            assert set(stored.short) == {spxw}
            record = stored.short[spxw]
            assert record == (3, Decimal("155.5"), Decimal("2.50"), T0, None)
            assert record[3].utcoffset() == timedelta(0)
            assert stored.long[spxw][1] == Decimal("1.005")
            assert stored.long[xyz][1] is None
            for quantity, cost, last, *_ in (*stored.long.values(), *stored.short.values()):
                assert type(quantity) is int
                for value in (cost, last):
                    assert value is None or isinstance(value, Decimal)
            assert sorted(stored.legs(), key=_order) == sorted(
                uow.positions.legs_by_key(ACCOUNT).values(), key=_order
            )
            assert len(uow.positions.stored_legs("NOBODY")) == 0

    def test_when_a_mark_was_taken_reads_back_exactly_or_as_unknown(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        marked = make_leg("SPX270319P04500000", last_price=Decimal("2.5"), marked_at=MARKED)
        never = make_leg("SPX270319P04400000")
        with uow_factory() as uow:
            uow.positions.upsert([marked, never])
            uow.commit()
        with uow_factory() as uow:
            by_key = uow.positions.legs_by_key(ACCOUNT)
            stored = uow.positions.stored_legs(ACCOUNT)
            for_symbol = uow.positions.legs_for_symbol(ACCOUNT, "SPX")
            everyone = uow.positions.all_legs()
        assert by_key == {marked.key: marked, never.key: never}
        assert sorted(for_symbol, key=_order) == everyone == sorted([marked, never], key=_order)
        assert by_key[marked.key].marked_at == MARKED
        assert by_key[never.key].marked_at is None
        moment = by_key[marked.key].marked_at
        assert moment is not None
        assert moment.utcoffset() == timedelta(0)
        assert stored.long[marked.occ][4] == MARKED
        assert stored.long[never.occ][4] is None
        assert stored.leg(marked.occ, Side.LONG) == marked

    def test_an_upsert_that_moves_only_when_the_mark_was_taken_is_written(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        first = make_leg(last_price=Decimal("2.5"), marked_at=T0)
        with uow_factory() as uow:
            uow.positions.upsert([first])
            uow.commit()
        remarked = replace(first, marked_at=MARKED)
        with uow_factory() as uow:
            assert uow.positions.upsert([remarked]) == 1
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.all_legs(ACCOUNT) == [remarked]

    def test_legs_for_an_underlying_include_every_root_and_filter_by_expiration(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        spx = make_leg("SPX270319P04500000")
        spxw = make_leg("SPXW270320P04500000")
        spy = make_leg("SPY270319P00450000")
        with uow_factory() as uow:
            uow.positions.upsert([spx, spxw, spy])
            uow.commit()
        with uow_factory() as uow:
            assert sorted(
                leg.occ_symbol for leg in uow.positions.legs_for_symbol(ACCOUNT, "SPX")
            ) == [
                "SPX270319P04500000",
                "SPXW270320P04500000",
            ]
            on_the_19th = uow.positions.legs_for_symbol(ACCOUNT, "SPX", date(2027, 3, 19))
            assert on_the_19th == [spx]
            assert uow.positions.legs_for_symbol(OTHER_ACCOUNT, "SPX") == []

    def test_delete_missing_prunes_only_that_account_and_keeps_the_rest(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        keep = make_leg("SPY270319P00400000", Side.SHORT)
        gone = make_leg("SPY270319P00395000")
        theirs = make_leg("SPY270319P00395000", account_id=OTHER_ACCOUNT)
        with uow_factory() as uow:
            uow.positions.upsert([keep, gone, theirs])
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.delete_missing(ACCOUNT, {keep.key}) == 1
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.all_legs() == sorted([keep, theirs], key=_order)

    def test_delete_removes_exactly_the_given_keys(self, uow_factory: UnitOfWorkFactory) -> None:
        a, b = make_leg("SPY270319P00400000"), make_leg("SPY270319P00395000")
        with uow_factory() as uow:
            uow.positions.upsert([a, b])
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.delete([a.key]) == 1
            assert uow.positions.delete([a.key]) == 0
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.all_legs() == [b]

    def test_clear_empties_one_account(self, uow_factory: UnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.positions.upsert([make_leg(), make_leg(account_id=OTHER_ACCOUNT)])
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.clear(ACCOUNT) == 1
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.accounts() == [OTHER_ACCOUNT]

    def test_an_uncommitted_unit_of_work_changes_nothing(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        before = make_leg()
        with uow_factory() as uow:
            uow.positions.upsert([before])
            uow.commit()
        with uow_factory() as uow:
            uow.positions.upsert([make_leg("SPY270319P00395000")])
            uow.positions.delete_missing(ACCOUNT, ())
        with uow_factory() as uow:
            assert uow.positions.all_legs() == [before]

    def test_an_exception_inside_a_unit_of_work_rolls_it_back(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        before = make_leg()
        with uow_factory() as uow:
            uow.positions.upsert([before])
            uow.commit()

        def sync_that_crashes() -> None:
            with uow_factory() as uow:
                uow.lock_account(ACCOUNT)
                uow.positions.upsert([make_leg("SPY270319P00395000")])
                raise RuntimeError("injected between upsert and delete")

        with pytest.raises(RuntimeError, match="injected"):
            sync_that_crashes()
        with uow_factory() as uow:
            assert uow.positions.all_legs() == [before]

    def test_rollback_discards_and_the_unit_of_work_goes_on(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        kept = make_leg("SPY270319P00395000")
        with uow_factory() as uow:
            uow.positions.upsert([make_leg()])
            uow.rollback()
            uow.positions.upsert([kept])
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.all_legs() == [kept]

    def test_an_account_lock_is_granted_inside_a_unit_of_work(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            uow.lock_account(ACCOUNT)
            uow.positions.upsert([make_leg()])
            uow.commit()
        with uow_factory() as uow:
            uow.lock_account(ACCOUNT)
            assert len(uow.positions.all_legs()) == 1

    # --- stock -------------------------------------------------------------------------------

    def test_a_new_store_holds_no_stock(self, uow_factory: UnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            assert uow.positions.stock() == []
            assert uow.positions.stock(ACCOUNT) == []
            assert uow.positions.delete_stock(ACCOUNT, ["AAPL"]) == 0

    def test_committed_stock_reads_back_exactly_by_account_and_symbol(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        positions = [
            make_stock("MSFT", "-25", cost_basis_per_share=Decimal("33.33333333333333333333")),
            make_stock("AAPL", "0.125", last_price=Decimal("0.005")),
            make_stock("BRK.B", "3", cost_basis_per_share=None, last_price=Decimal("412.1")),
            make_stock("AAPL", "7", account_id=OTHER_ACCOUNT),
        ]
        with uow_factory() as uow:
            uow.positions.upsert_stock(positions)
            uow.commit()
        with uow_factory() as uow:
            mine = uow.positions.stock(ACCOUNT)
            everyone = uow.positions.stock()
        assert mine == sorted(positions[:3], key=lambda p: p.symbol)
        assert everyone == sorted(positions, key=lambda p: (p.account_id, p.symbol))
        for back in everyone:
            assert back.updated_at == T0
            assert back.updated_at.utcoffset() == timedelta(0)
            for value in (back.quantity, back.cost_basis_per_share, back.last_price):
                assert value is None or isinstance(value, Decimal)
        assert [p.side for p in mine] == [Side.LONG, Side.LONG, Side.SHORT]

    def test_upsert_stock_replaces_the_row_of_the_account_and_symbol(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            uow.positions.upsert_stock([make_stock(quantity="100")])
            uow.commit()
        later = T0 + timedelta(minutes=5)
        short = make_stock(quantity="-40", last_price=Decimal("190.01"), updated_at=later)
        with uow_factory() as uow:
            assert uow.positions.upsert_stock([short]) == 1
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.stock(ACCOUNT) == [short]

    def test_when_a_shares_mark_was_taken_reads_back_exactly_or_as_unknown(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        marked = make_stock("AAPL", last_price=Decimal("191.07"), marked_at=MARKED)
        never = make_stock("MSFT")
        with uow_factory() as uow:
            uow.positions.upsert_stock([marked, never])
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.stock(ACCOUNT) == [marked, never]
            back = {p.symbol: p.marked_at for p in uow.positions.stock()}
        assert back == {"AAPL": MARKED, "MSFT": None}
        assert back["AAPL"] is not None
        assert back["AAPL"].utcoffset() == timedelta(0)

    def test_an_upsert_of_shares_that_moves_only_when_the_mark_was_taken_is_written(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        first = make_stock(last_price=Decimal("191.07"), marked_at=T0)
        with uow_factory() as uow:
            uow.positions.upsert_stock([first])
            uow.commit()
        remarked = replace(first, marked_at=MARKED)
        with uow_factory() as uow:
            assert uow.positions.upsert_stock([remarked]) == 1
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.stock(ACCOUNT) == [remarked]

    def test_delete_stock_removes_only_those_symbols_of_that_account(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        keep, gone = make_stock("MSFT"), make_stock("AAPL")
        theirs = make_stock("AAPL", account_id=OTHER_ACCOUNT)
        with uow_factory() as uow:
            uow.positions.upsert_stock([keep, gone, theirs])
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.delete_stock(ACCOUNT, ["AAPL", "AAPL", "TSLA"]) == 1
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.stock() == sorted([keep, theirs], key=lambda p: p.account_id)

    def test_stock_and_legs_commit_or_roll_back_together(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        leg, shares = make_leg(), make_stock()
        with uow_factory() as uow:
            uow.positions.upsert([leg])
            uow.positions.upsert_stock([shares])
            uow.commit()

        def sync_that_crashes() -> None:
            with uow_factory() as uow:
                uow.lock_account(ACCOUNT)
                uow.positions.upsert([make_leg("SPY270319P00395000")])
                uow.positions.delete_stock(ACCOUNT, ["AAPL"])
                uow.positions.upsert_stock([make_stock("MSFT")])
                raise RuntimeError("injected after the stock writes")

        with pytest.raises(RuntimeError, match="injected"):
            sync_that_crashes()
        with uow_factory() as uow:
            uow.positions.upsert_stock([make_stock("TSLA")])
            uow.rollback()
        with uow_factory() as uow:
            assert uow.positions.all_legs() == [leg]
            assert uow.positions.stock() == [shares]

    def test_clearing_an_accounts_legs_keeps_its_stock(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            uow.positions.upsert([make_leg()])
            uow.positions.upsert_stock([make_stock()])
            uow.commit()
        with uow_factory() as uow:
            uow.positions.clear(ACCOUNT)
            uow.commit()
        with uow_factory() as uow:
            assert uow.positions.all_legs() == []
            assert uow.positions.stock(ACCOUNT) == [make_stock()]

    def test_a_sync_run_keeps_its_stock_counts(self, uow_factory: UnitOfWorkFactory) -> None:
        counts = SyncCounts(
            opened=1, stock_opened=2, stock_changed=3, stock_unchanged=4, stock_removed=5
        )
        run = SyncRun(ACCOUNT, T0, T0 + timedelta(seconds=1), True, counts, pruned=True)
        with uow_factory() as uow:
            uow.sync_runs.record(run)
            uow.commit()
        with uow_factory() as uow:
            assert _without_id(uow.sync_runs.last_run(ACCOUNT)) == run

    # --- sync runs ---------------------------------------------------------------------------

    def test_sync_runs_answer_when_the_last_good_sync_happened(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        good = SyncRun(ACCOUNT, T0, T0 + timedelta(seconds=1), True, SyncCounts(opened=3))
        bad = SyncRun(
            ACCOUNT,
            T0 + timedelta(minutes=1),
            T0 + timedelta(minutes=1, seconds=2),
            False,
            error="broker read failed: timed out",
        )
        other = SyncRun(
            OTHER_ACCOUNT, T0, T0 + timedelta(seconds=1), True, SyncCounts(errors=1), pruned=False
        )
        with uow_factory() as uow:
            recorded = [uow.sync_runs.record(run) for run in (good, bad, other)]
            uow.commit()
        assert all(run.id is not None for run in recorded)
        with uow_factory() as uow:
            assert _without_id(uow.sync_runs.last_run(ACCOUNT)) == bad
            assert _without_id(uow.sync_runs.last_successful_run(ACCOUNT)) == good
            assert uow.sync_runs.last_run("NOBODY") is None
            latest = [_without_id(run) for run in uow.sync_runs.latest_runs()]
            assert latest == sorted([bad, other], key=lambda run: run.account_id)

    # --- trades ------------------------------------------------------------------------------

    def test_a_new_trade_gets_an_id_and_keeps_origin_and_managed(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            imported = uow.trades.add(make_trade(origin=Origin.IMPORTED, managed=False))
            engine = uow.trades.add(make_trade())
            uow.commit()
        assert imported.id is not None
        assert engine.id is not None
        assert imported.id != engine.id
        with uow_factory() as uow:
            assert uow.trades.get(imported.id) == imported
            assert uow.trades.get(engine.id).origin is Origin.ENGINE
            assert uow.trades.get(engine.id).managed is True

    def test_a_missing_trade_is_named(self, uow_factory: UnitOfWorkFactory) -> None:
        with uow_factory() as uow, pytest.raises(TradeNotFound, match="424242"):
            uow.trades.get(424242)

    def test_the_engine_sees_open_managed_and_legacy_trades_only(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            managed = uow.trades.add(make_trade(managed=True))
            legacy = uow.trades.add(make_trade(managed=None))
            uow.trades.add(make_trade(managed=False, origin=Origin.IMPORTED))
            uow.trades.add(make_trade(status=TradeStatus.CLOSED, closed_at=T0 + timedelta(days=1)))
            uow.commit()
        with uow_factory() as uow:
            assert [t.id for t in uow.trades.open_managed()] == [managed.id, legacy.id]
            assert uow.trades.get(legacy.id or 0).managed is None
            assert len(uow.trades.list_trades()) == 3
            assert len(uow.trades.list_trades(include_closed=True)) == 4
            assert uow.trades.open_managed(OTHER_ACCOUNT) == []

    def test_the_managed_switch_persists(self, uow_factory: UnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            trade = uow.trades.add(make_trade())
            uow.commit()
        assert trade.id is not None
        with uow_factory() as uow:
            assert uow.trades.set_managed(trade.id, False).managed is False
            uow.commit()
        with uow_factory() as uow:
            assert uow.trades.open_managed() == []
            assert uow.trades.get(trade.id).legs == trade.legs
            with pytest.raises(TradeNotFound):
                uow.trades.set_managed(trade.id + 1000, True)

    def test_closing_a_trade_keeps_its_row_with_when_and_why(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            trade = uow.trades.add(make_trade())
            uow.commit()
        assert trade.id is not None
        closed_at = T0 + timedelta(days=3)
        with uow_factory() as uow:
            closed = uow.trades.close(trade.id, closed_at, "legs expired worthless")
            uow.commit()
        assert (closed.status, closed.closed_at, closed.close_reason) == (
            TradeStatus.CLOSED,
            closed_at,
            "legs expired worthless",
        )
        with uow_factory() as uow:
            assert uow.trades.get(trade.id) == closed
            assert uow.trades.list_trades() == []
            assert uow.trades.list_trades(include_closed=True) == [closed]
            with pytest.raises(TradeNotFound):
                uow.trades.close(trade.id + 1000, closed_at, "nothing")

    @pytest.mark.parametrize(
        "envelope",
        [
            TradeEnvelope(
                kind="iron_condor",
                entry_price=Decimal("1.61"),
                net_premium=Decimal("322"),
                width=Decimal("10"),
                max_profit=Decimal("322"),
                max_loss=Decimal("1678"),
                breakevens=(Decimal("538.39"), Decimal("561.61")),
            ),
            TradeEnvelope(
                kind="short_call",
                entry_price=Decimal("0.0000001"),
                net_premium=Decimal("0.00001"),
                width=None,
                max_profit=Decimal("0.00001"),
                max_loss=None,
                breakevens=(Decimal("450.0000001"),),
            ),
            TradeEnvelope(
                kind="call_calendar",
                entry_price=Decimal("2.5"),
                net_premium=Decimal("-250"),
                width=None,
                max_profit=None,
                max_loss=Decimal("250"),
                unknown=("max_profit", "breakevens"),
            ),
        ],
        ids=["defined", "unbounded", "unknown"],
    )
    def test_a_trades_envelope_reads_back_exactly(
        self, uow_factory: UnitOfWorkFactory, envelope: TradeEnvelope
    ) -> None:
        with uow_factory() as uow:
            trade = uow.trades.add(replace(make_trade(), envelope=envelope))
            uow.commit()
        assert trade.id is not None
        with uow_factory() as uow:
            stored = uow.trades.get(trade.id)
        assert stored.envelope == envelope
        assert stored.envelope is not None
        assert stored.envelope.is_unbounded("max_loss") == (envelope.kind == "short_call")


def _order(leg: OptionLeg) -> tuple[str, str, date, str, Decimal, str]:
    key = leg.key
    return (key.account_id, key.root, key.expiration, key.option_type.value, key.strike, key.side)


def _without_id(run: SyncRun | None) -> SyncRun | None:
    return None if run is None else replace(run, id=None)

"""The risk report: every structure's figures as the domain figures them, totals that are only
as known as their members, days counted in New York from the clock port, and nothing written."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from legsync.application.risk import NoPayoff, RiskService, RiskTotals, UnknownAccount
from legsync.domain import OptionLeg, StockPosition, SyncCounts, SyncRun
from legsync.domain.classification import classify
from legsync.domain.payoff import payoff_at
from legsync.domain.pnl import Pnl
from legsync.domain.risk import StructureRisk
from legsync.domain.structures import StructureKind
from legsync.testing import ACCOUNT, AT, InMemoryDatabase, ManualClock, leg, shares

BUTTERFLY = (
    leg("SPY240119C00540000", 1, cost="1000", last="9.5"),
    leg("SPY240119C00550000", -2, cost="450", last="4"),
    leg("SPY240119C00560000", 1, cost="50", last="1"),
)


def service_over(
    *legs: OptionLeg, stock: tuple[StockPosition, ...] = ()
) -> tuple[RiskService, InMemoryDatabase]:
    db = InMemoryDatabase()
    with db() as uow:
        uow.positions.upsert(legs)
        uow.positions.upsert_stock(stock)
        uow.commit()
    return RiskService(db, ManualClock()), db


def test_a_butterfly_shows_the_butterflys_figures_from_its_cost_basis() -> None:
    service, _ = service_over(*BUTTERFLY)
    (account,) = service.report().accounts
    (item,) = account.structures
    assert item.structure.kind is StructureKind.LONG_CALL_BUTTERFLY
    assert item.risk.net_premium == Decimal(-150)  # paid 1000 + 50, received 2 x 450
    assert item.risk.max_profit == Decimal(850)
    assert item.risk.max_loss == Decimal(150)
    assert item.risk.breakevens == (Decimal("541.5"), Decimal("558.5"))
    assert item.days_to_expiry == 17  # 2024-01-02 to 2024-01-19
    # marks: (950 - 1000) + 2 x (450 - 400) + (100 - 50)
    assert item.pnl.amount == Decimal(100)


def test_days_to_expiry_count_new_york_days_not_utc_ones() -> None:
    service, _ = service_over(*BUTTERFLY)
    service.clock = ManualClock(datetime(2024, 1, 19, 2, 0, tzinfo=UTC))  # 21:00 on the 18th
    (account,) = service.report().accounts
    assert account.structures[0].days_to_expiry == 1


def test_the_report_groups_by_account_and_underlying_and_sums_each() -> None:
    service, _ = service_over(
        *BUTTERFLY,
        leg("SPY240119P00500000", -1, cost="300"),  # a naked put: bounded, 50000 - 300
        leg("IWM240119C00200000", -1, cost="120"),  # a naked call: unbounded
        leg("IWM240119P00190000", 1, cost="80", account_id="6YA000002"),
    )
    report = service.report()
    assert [a.account_id for a in report.accounts] == ["6YA000002", ACCOUNT]  # sorted
    first = report.accounts[1]
    assert [u.symbol for u in first.underlyings] == ["IWM", "SPY"]
    spy = first.underlyings[1]
    assert spy.totals.structures == 2
    assert spy.totals.net_premium == Decimal(150)  # -150 + 300
    assert spy.totals.max_loss == Decimal(150) + Decimal(49700)
    assert first.totals.is_unbounded("max_loss"), "the naked IWM call has no limit"
    assert first.totals.net_premium == Decimal(270)


def totals_of(*risks: StructureRisk) -> RiskTotals:
    from legsync.application.risk import StructureReport

    (structure,) = classify([leg("SPY240119C00540000", 1, cost="1")])
    return RiskTotals.of([StructureReport(structure, r, Pnl(Decimal(0)), 1) for r in risks])


BOUNDED = StructureRisk(Decimal(-100), Decimal(400), Decimal(100), ())
UNBOUNDED = StructureRisk(Decimal(120), Decimal(120), None, ())
UNKNOWN = StructureRisk(None, None, None, (), unknown=("net_premium", "max_profit", "max_loss"))


def test_a_total_with_an_unbounded_member_is_unbounded_even_beside_an_unknown_one() -> None:
    assert totals_of(BOUNDED, BOUNDED).max_loss == Decimal(200)
    with_unbounded = totals_of(BOUNDED, UNBOUNDED)
    assert with_unbounded.max_loss is None
    assert with_unbounded.is_unbounded("max_loss")
    assert totals_of(BOUNDED, UNBOUNDED, UNKNOWN).is_unbounded("max_loss")


def test_a_total_with_an_unknown_member_is_unknown_never_a_partial_sum() -> None:
    total = totals_of(BOUNDED, UNKNOWN)
    assert (total.net_premium, total.max_loss) == (None, None)
    assert total.unknown == ("net_premium", "max_loss")
    assert not total.is_unbounded("max_loss")


def test_a_total_pnl_is_incomplete_when_one_member_has_no_mark() -> None:
    service, _ = service_over(*BUTTERFLY, leg("SPY240119P00500000", -1, cost="300"))
    (account,) = service.report().accounts
    assert account.totals.pnl.amount is None
    assert account.totals.pnl.known == Decimal(100)
    assert account.totals.pnl.missing == ("SPY240119P00500000: no mark",)


def test_symbol_spx_means_spx_and_spxw_and_nothing_else() -> None:
    service, _ = service_over(
        leg("SPX240119C04800000", 1, cost="2000"),
        leg("SPXW240112P04700000", -1, cost="900"),
        *BUTTERFLY,
    )
    (account,) = service.report(symbol="spx").accounts
    assert sorted(s.structure.root for s in account.structures) == ["SPX", "SPXW"]
    assert {u.symbol for u in account.underlyings} == {"SPX"}
    (same,) = service.report(symbol="SPXW").accounts
    assert same == account


def test_a_covered_call_uses_the_shares_and_their_mark_is_the_underlyings_price() -> None:
    service, _ = service_over(
        leg("AAPL240119C00200000", -1, cost="500"),
        stock=(shares("AAPL", "100", cost="180", last="190"),),
    )
    (account,) = service.report().accounts
    (item,) = account.structures
    assert item.structure.kind is StructureKind.COVERED_CALL
    assert item.risk.max_profit == Decimal(2500)  # (200 - 180) x 100 + 500
    assert account.underlyings[0].last_price == Decimal(190)


def test_an_unknown_account_is_refused_and_one_known_from_a_sync_run_is_empty() -> None:
    service, db = service_over(*BUTTERFLY)
    with pytest.raises(UnknownAccount, match="NOPE"):
        service.report("NOPE")
    with db() as uow:
        uow.sync_runs.record(SyncRun("EMPTY1", AT, AT, True, SyncCounts(), pruned=True))
        uow.commit()
    (empty,) = service.report("EMPTY1").accounts
    assert empty.structures == ()
    assert empty.totals.structures == 0


def test_a_risk_report_commits_nothing() -> None:
    service, db = service_over(*BUTTERFLY, stock=(shares("SPY", "100", cost="470"),))
    before = db.commits
    service.report()
    service.report(ACCOUNT, "SPY")
    assert db.commits == before


def test_the_payoff_curve_frames_the_strikes_and_breakevens_and_passes_every_strike() -> None:
    """The butterfly's strikes and breakevens span 540..560: the window widens that by 5% of
    560 (28, more than half the 20 spread), so the tent fills the picture."""
    service, _ = service_over(*BUTTERFLY)
    (item,) = service.report().accounts[0].structures
    assert item.payoff_curve() == (
        (Decimal(512), Decimal(-150)),
        (Decimal(540), Decimal(-150)),
        (Decimal(550), Decimal(850)),
        (Decimal(560), Decimal(-150)),
        (Decimal(588), Decimal(-150)),
    )
    premium = Decimal(-150)
    assert all(payoff_at(item.structure, x, premium) == y for x, y in item.payoff_curve())


def test_the_window_reaches_the_underlyings_last_price_and_never_below_zero() -> None:
    service, _ = service_over(*BUTTERFLY)
    (item,) = service.report().accounts[0].structures
    prices = [price for price, _ in item.payoff_curve(last_price=Decimal(600))]
    assert prices == [Decimal(510), Decimal(540), Decimal(550), Decimal(560), Decimal(630)]
    low = [price for price, _ in item.payoff_curve(last_price=Decimal(1))]
    assert low[0] == Decimal(0)


def test_a_covered_calls_window_holds_its_breakeven_below_the_strike() -> None:
    service, _ = service_over(
        leg("AAPL270115C00200000", -1, cost="512"), stock=(shares("AAPL", "100", cost="183.42"),)
    )
    (item,) = service.report().accounts[0].structures
    assert item.risk.breakevens == (Decimal("178.3"),)
    prices = [price for price, _ in item.payoff_curve()]
    assert prices[0] < Decimal("178.3") < Decimal(200) < prices[-1]


def test_shares_alone_are_drawn_to_twice_their_price() -> None:
    service, _ = service_over(stock=(shares("MSFT", "50", cost="400"),))
    (item,) = service.report().accounts[0].structures
    assert item.payoff_curve() == ((Decimal(0), Decimal(-20000)), (Decimal(800), Decimal(20000)))


def test_no_payoff_across_expirations_or_without_a_premium() -> None:
    service, _ = service_over(
        leg("SPY240119C00550000", -1, cost="400"),
        leg("SPY240216C00550000", 1, cost="900"),
        leg("QQQ240119P00400000", -1),
    )
    items = {s.structure.kind: s for s in service.report().accounts[0].structures}
    with pytest.raises(NoPayoff, match="different dates"):
        items[StructureKind.LONG_CALL_CALENDAR].payoff_curve()
    with pytest.raises(NoPayoff, match="no cost basis"):
        items[StructureKind.SHORT_PUT].payoff_curve()

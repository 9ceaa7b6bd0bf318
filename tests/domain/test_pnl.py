"""Unrealised P&L from the stored marks: a leg without a usable mark makes every total it is
part of incomplete, never zero, and each total carries its oldest mark's time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from legsync.domain.classification import classify
from legsync.domain.pnl import leg_pnl, stock_pnl, structure_pnl, total_pnl
from legsync.domain.stock import StockPosition
from legsync.testing import leg

EARLY = datetime(2027, 1, 4, 15, 0, tzinfo=UTC)
LATE = datetime(2027, 1, 4, 16, 0, tzinfo=UTC)


def test_a_long_gains_when_its_mark_rises_and_a_short_when_it_falls() -> None:
    long = replace(leg("SPY270319P00530000", 2, cost="431", last="2.50"), marked_at=EARLY)
    short = replace(leg("SPY270319P00540000", -2, cost="592", last="3.10"), marked_at=LATE)
    assert leg_pnl(long).amount == Decimal(2 * (250 - 431))
    assert leg_pnl(short).amount == Decimal(2 * (592 - 310))
    (spread,) = classify([long, short])
    pnl = structure_pnl(spread)
    assert pnl.amount == Decimal(2 * (250 - 431) + 2 * (592 - 310))
    assert pnl.oldest_mark_at == EARLY


def test_a_leg_without_a_mark_makes_its_totals_incomplete_not_zero() -> None:
    marked = leg("SPY270319P00530000", 2, cost="431", last="2.50")
    unmarked = leg("SPY270319P00540000", -2, cost="592")
    total = total_pnl([leg_pnl(marked), leg_pnl(unmarked)])
    assert total.amount is None
    assert not total.complete
    assert total.known == Decimal(2 * (250 - 431))
    assert total.missing == ("SPY270319P00540000: no mark",)


def test_shares_gain_per_share_and_an_adjusted_contract_is_flagged() -> None:
    shares = StockPosition("VA000001", "SPY", Decimal(-100), Decimal(50), Decimal(48), EARLY)
    assert stock_pnl(shares).amount == Decimal(200)
    adjusted = leg("AAPL1270319C00150000", 1, cost="300", last="4")
    assert "adjusted contract" in leg_pnl(adjusted).missing[0]

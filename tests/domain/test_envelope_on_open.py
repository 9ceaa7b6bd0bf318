"""The envelope a trade is recorded with: one structure's kind and risk, priced from the
broker's cost basis when the legs are held, else from the entry price given, else unknown."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from legsync.domain import Side, TradeLeg
from legsync.domain import parse_occ_symbol as occ
from legsync.domain.envelope import envelope_on_open
from legsync.testing import leg

NOW = datetime(2027, 1, 4, 15, 0, tzinfo=UTC)
ACCOUNT = "VA000001"
BULL_PUT = (
    TradeLeg(occ("SPY270319P00540000"), Side.SHORT),
    TradeLeg(occ("SPY270319P00530000"), Side.LONG),
)
HELD = [
    leg("SPY270319P00540000", -2, cost="592", account_id=ACCOUNT),
    leg("SPY270319P00530000", 2, cost="431", account_id=ACCOUNT),
]


def test_held_legs_are_priced_from_the_brokers_cost_basis_whatever_price_is_given() -> None:
    envelope = envelope_on_open(ACCOUNT, BULL_PUT, 2, HELD, Decimal("9.99"), NOW)
    assert envelope.kind == "bull_put_spread"
    assert (envelope.entry_price, envelope.net_premium, envelope.is_credit) == (
        Decimal("1.61"),
        Decimal("322"),
        True,
    )
    assert (envelope.width, envelope.max_profit, envelope.max_loss) == (
        Decimal("10"),
        Decimal("322"),
        Decimal("1678"),
    )
    assert envelope.breakevens == (Decimal("538.39"),)
    assert envelope.unknown == ()


def test_legs_not_held_are_priced_from_the_entry_price_as_the_kind_takes_it() -> None:
    credit = envelope_on_open(ACCOUNT, BULL_PUT, 3, [], Decimal("2.50"), NOW)
    assert (credit.net_premium, credit.max_profit, credit.max_loss) == (
        Decimal("750"),
        Decimal("750"),
        Decimal("2250"),
    )
    bull_call = (
        TradeLeg(occ("SPY270319C00600000"), Side.LONG),
        TradeLeg(occ("SPY270319C00610000"), Side.SHORT),
    )
    debit = envelope_on_open(ACCOUNT, bull_call, 1, [], Decimal("4"), NOW)
    assert debit.kind == "bull_call_spread"
    assert (debit.net_premium, debit.is_credit, debit.max_profit, debit.max_loss) == (
        Decimal("-400"),
        False,
        Decimal("600"),
        Decimal("400"),
    )
    assert debit.breakevens == (Decimal("604"),)


def test_without_any_price_the_figures_are_unknown_not_zero() -> None:
    envelope = envelope_on_open(ACCOUNT, BULL_PUT, 1, [], None, NOW)
    assert envelope.kind == "bull_put_spread"
    assert envelope.width == Decimal("10")
    assert (envelope.max_profit, envelope.max_loss, envelope.net_premium) == (None, None, None)
    assert set(envelope.unknown) >= {"max_profit", "max_loss", "net_premium", "breakevens"}
    assert not envelope.is_unbounded("max_loss")


def test_an_unbounded_loss_is_told_apart_from_an_unknown_one() -> None:
    naked = (TradeLeg(occ("SPY270319C00600000"), Side.SHORT),)
    envelope = envelope_on_open(ACCOUNT, naked, 1, [], Decimal("3"), NOW)
    assert envelope.kind == "short_call"
    assert envelope.max_loss is None
    assert envelope.is_unbounded("max_loss")
    assert envelope.max_profit == Decimal("300")


TWO_VERTICALS = (
    *BULL_PUT,
    TradeLeg(occ("SPY270319P00500000"), Side.SHORT),
    TradeLeg(occ("SPY270319P00490000"), Side.LONG),
)


def test_legs_that_are_not_one_structure_are_one_custom_structure_never_a_guessed_sign() -> None:
    """An entry price cannot say whether a set of several structures took a credit: without
    the broker's cost basis its bounded figures are unknown, not added up."""
    envelope = envelope_on_open(ACCOUNT, TWO_VERTICALS, 1, [], Decimal("1"), NOW)
    assert envelope.kind == "custom"
    assert envelope.entry_price == Decimal("1")
    assert {"net_premium", "max_profit", "max_loss"} <= set(envelope.unknown)


def test_a_custom_set_held_at_the_broker_has_the_whole_sets_true_risk() -> None:
    held = [
        *HELD,
        leg("SPY270319P00500000", -2, cost="100", account_id=ACCOUNT),
        leg("SPY270319P00490000", 2, cost="60", account_id=ACCOUNT),
    ]
    envelope = envelope_on_open(ACCOUNT, TWO_VERTICALS, 2, held, None, NOW)
    assert envelope.kind == "custom"
    assert envelope.net_premium == Decimal(2 * (592 - 431 + 100 - 60))
    # below 490 both spreads lose their width: 2 x (1000 + 1000) less the credit
    assert envelope.max_loss == Decimal(4000 - 402)
    assert envelope.unknown == ()


def test_a_long_calendars_loss_is_its_debit_and_the_rest_is_unknown() -> None:
    calendar = (
        TradeLeg(occ("SPY270319C00600000"), Side.SHORT),
        TradeLeg(occ("SPY270618C00600000"), Side.LONG),
    )
    envelope = envelope_on_open(ACCOUNT, calendar, 1, [], Decimal("2"), NOW)
    assert envelope.kind == "long_call_calendar"
    assert (envelope.net_premium, envelope.max_loss) == (Decimal("-200"), Decimal("200"))
    assert {"max_profit", "breakevens"} == set(envelope.unknown)

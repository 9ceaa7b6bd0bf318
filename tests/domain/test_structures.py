"""Classification rules: what pairs with what, shares beside options, the guard against
overstated losses, and what a structure refuses. Each strategy's own legs and figures are in
test_strategy_table.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Context, Decimal, localcontext

import pytest

from legsync.domain import OptionLeg, Side, TradeLeg, parse_occ_symbol
from legsync.domain.classification import classify
from legsync.domain.kinds import StructureKind
from legsync.domain.risk import premium_from_basis, structure_risk
from legsync.domain.structures import StockPart, Structure, StructurePart
from legsync.testing import shares

ACCOUNT = "VA000001"
AT = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)


def held(symbol: str, quantity: int, cost: str | None = None, account: str = ACCOUNT) -> OptionLeg:
    """A mirrored leg: +2 is two contracts long, -2 two short; ``cost`` is the cost basis per
    contract in dollars (x100 included: a 1.55 premium is "155")."""
    return OptionLeg(
        account_id=account,
        occ=parse_occ_symbol(symbol),
        side=Side.LONG if quantity > 0 else Side.SHORT,
        quantity=abs(quantity),
        cost_basis_per_contract=None if cost is None else Decimal(cost),
        last_price=None,
        updated_at=AT,
    )


def shape(structures: tuple[Structure, ...]) -> list[tuple[StructureKind, int, list[str]]]:
    """Structures as (kind, quantity, ["+SYMBOL" / "-SYMBOL" per part, "+N SH"]) for asserts."""
    return [
        (
            s.kind,
            s.quantity,
            [("+" if p.leg.side is Side.LONG else "-") + p.leg.occ_symbol for p in s.parts]
            + (
                []
                if s.stock is None
                else [f"{'+' if s.stock.side is Side.LONG else '-'}{s.stock.shares} SH"]
            ),
        )
        for s in structures
    ]


# --- what pairs with what ----------------------------------------------------------------------


def test_unequal_quantities_split_into_a_matched_spread_and_a_leftover_single() -> None:
    legs = [held("SPY240119P00400000", -2, "155"), held("SPY240119P00395000", 3, "90")]
    assert shape(classify(legs)) == [
        (StructureKind.LONG_PUT, 1, ["+SPY240119P00395000"]),
        (StructureKind.BULL_PUT_SPREAD, 2, ["+SPY240119P00395000", "-SPY240119P00400000"]),
    ]


def test_different_expirations_never_form_a_vertical() -> None:
    short_near_long_far = [held("SPY240119P00400000", -1), held("SPY240216P00395000", 1)]
    assert [s.kind for s in classify(short_near_long_far)] == [StructureKind.LONG_PUT_DIAGONAL]
    long_near_short_far = [held("SPY240119P00395000", 1), held("SPY240216P00400000", -1)]
    assert [s.kind for s in classify(long_near_short_far)] == [StructureKind.SHORT_PUT_DIAGONAL]


def test_spx_and_spxw_legs_never_pair_even_on_one_date() -> None:
    """Different roots are different contracts (AM- and PM-settled): no defined risk across."""
    legs = [held("SPXW240119P04500000", -1), held("SPX240119P04490000", 1)]
    assert [s.kind for s in classify(legs)] == [StructureKind.LONG_PUT, StructureKind.SHORT_PUT]


def test_legs_of_different_accounts_never_pair() -> None:
    legs = [
        held("SPY240119P00400000", -1, account="VA000001"),
        held("SPY240119P00395000", 1, account="VA000002"),
    ]
    assert [(s.account_id, s.kind) for s in classify(legs)] == [
        ("VA000001", StructureKind.SHORT_PUT),
        ("VA000002", StructureKind.LONG_PUT),
    ]


def test_a_long_and_a_short_of_one_contract_offset_as_one_custom_structure() -> None:
    """Not a spread, and not a naked short call either: the long covers it, so apart they
    would overstate the loss."""
    legs = [held("SPY240119C00450000", 1, "300"), held("SPY240119C00450000", -1, "250")]
    (offset,) = classify(legs)
    assert offset.kind is StructureKind.CUSTOM
    risk = structure_risk(offset, premium_from_basis(offset))
    assert (risk.max_profit, risk.max_loss) == (Decimal(-50), Decimal(50))


def test_the_narrowest_vertical_wins_and_a_credit_spread_breaks_a_tie() -> None:
    narrow_debit = [
        held("SPY240119C00450000", 1),
        held("SPY240119C00455000", -1),
        held("SPY240119C00470000", 1),
    ]
    assert shape(classify(narrow_debit)) == [
        (StructureKind.BULL_CALL_SPREAD, 1, ["+SPY240119C00450000", "-SPY240119C00455000"]),
        (StructureKind.LONG_CALL, 1, ["+SPY240119C00470000"]),
    ]
    tie = [held("SPY240119C00450000", -1), held("SPY240119C00455000", 1)]
    tie.append(held("SPY240119C00460000", -1))
    assert shape(classify(tie)) == [
        (StructureKind.BEAR_CALL_SPREAD, 1, ["-SPY240119C00450000", "+SPY240119C00455000"]),
        (StructureKind.SHORT_CALL, 1, ["-SPY240119C00460000"]),
    ]


def test_a_condor_takes_what_it_can_and_the_rest_stays_a_vertical() -> None:
    legs = [
        held("SPY240119P00390000", 2),
        held("SPY240119P00395000", -2),
        held("SPY240119C00455000", -1),
        held("SPY240119C00460000", 1),
    ]
    assert shape(classify(legs)) == [
        (StructureKind.BULL_PUT_SPREAD, 1, ["+SPY240119P00390000", "-SPY240119P00395000"]),
        (
            StructureKind.IRON_CONDOR,
            1,
            [
                "+SPY240119P00390000",
                "-SPY240119P00395000",
                "-SPY240119C00455000",
                "+SPY240119C00460000",
            ],
        ),
    ]


def test_an_inverted_condor_stays_two_verticals() -> None:
    """Short put above short call is not the long put < short put < short call < long call
    order of an iron condor (nor a box: the strikes do not meet)."""
    legs = [
        held("SPY240119P00450000", 1),
        held("SPY240119P00455000", -1),
        held("SPY240119C00445000", -1),
        held("SPY240119C00450000", 1),
    ]
    assert [s.kind for s in classify(legs)] == [
        StructureKind.BEAR_CALL_SPREAD,
        StructureKind.BULL_PUT_SPREAD,
    ]


def test_condor_legs_in_two_expirations_make_no_condor() -> None:
    legs = [
        held("SPY240119P00390000", 1),
        held("SPY240119P00395000", -1),
        held("SPY240216C00455000", -1),
        held("SPY240216C00460000", 1),
    ]
    assert [s.kind for s in classify(legs)] == [
        StructureKind.BULL_PUT_SPREAD,
        StructureKind.BEAR_CALL_SPREAD,
    ]


def test_a_put_above_the_call_is_no_strangle() -> None:
    legs = [held("SPY240119P00460000", -1), held("SPY240119C00440000", -1)]
    assert [s.kind for s in classify(legs)] == [StructureKind.SHORT_CALL, StructureKind.SHORT_PUT]


def test_verticals_come_before_straddles() -> None:
    """A long straddle next to a short call reads as a call spread and a long put: the call
    is covered rather than left naked."""
    legs = [
        held("SPY240119P00450000", 1),
        held("SPY240119C00450000", 1),
        held("SPY240119C00455000", -1),
    ]
    assert [s.kind for s in classify(legs)] == [
        StructureKind.LONG_PUT,
        StructureKind.BULL_CALL_SPREAD,
    ]


def test_legs_held_zero_times_are_left_out() -> None:
    empty = replace(held("SPY240119P00400000", -1), quantity=0)
    assert classify([empty, held("SPY240119P00395000", 1)]) == classify(
        [held("SPY240119P00395000", 1)]
    )


def test_a_leg_given_twice_is_refused_not_merged() -> None:
    leg = held("SPY240119P00400000", -1)
    with pytest.raises(ValueError, match=r"VA000001\|SPY\|2024-01-19\|put\|400\|short"):
        classify([leg, leg])


def test_structures_come_out_in_a_stable_order() -> None:
    legs = [
        held("QQQ240119P00400000", -1),
        held("SPY240216P00400000", -1),
        held("SPY240119C00450000", -1),
        held("SPY240119P00400000", 1),
    ]
    assert [(s.root, s.expirations[0], s.kind) for s in classify(legs)] == [
        ("QQQ", legs[0].expiration, StructureKind.SHORT_PUT),
        ("SPY", legs[3].expiration, StructureKind.SHORT_PUT_CALENDAR),
        ("SPY", legs[2].expiration, StructureKind.SHORT_CALL),
    ]
    assert classify(reversed(legs)) == classify(legs)


def test_a_structure_knows_its_underlying_and_the_trade_legs_it_stands_for() -> None:
    (spread,) = classify(
        [held("SPXW240119P04500000", -3, "900"), held("SPXW240119P04490000", 3, "700")]
    )
    assert spread.symbol == "SPX"
    assert spread.root == "SPXW"
    assert spread.trade_legs() == (
        TradeLeg(parse_occ_symbol("SPXW240119P04490000"), Side.LONG, 1),
        TradeLeg(parse_occ_symbol("SPXW240119P04500000"), Side.SHORT, 1),
    )


@pytest.mark.parametrize(
    ("kind", "legs", "problem"),
    [
        (
            StructureKind.BULL_PUT_SPREAD,
            [held("SPY240119P00400000", 1), held("SPY240119P00400000", -1)],
            "long put K1, short put K2, K1<K2",
        ),
        (
            StructureKind.BULL_CALL_SPREAD,
            [held("SPY240119P00395000", 1), held("SPY240119P00400000", -1)],
            "expected long call, short call",
        ),
        (
            StructureKind.LONG_CALL_CALENDAR,
            [held("SPY240119C00450000", 1), held("SPY240216C00450000", -1)],
            "short call near, long call far",
        ),
        (
            StructureKind.IRON_BUTTERFLY,
            [
                held("SPY240119P00390000", 1),
                held("SPY240119P00395000", -1),
                held("SPY240119C00455000", -1),
                held("SPY240119C00460000", 1),
            ],
            "short put and short call K2",
        ),
        (
            StructureKind.BULL_PUT_SPREAD,
            [held("SPY240119P00395000", 1), held("SPY240216P00400000", -1)],
            "expected long put, short put",
        ),
        (
            StructureKind.LONG_CALL_BUTTERFLY,
            [
                held("SPY240119C00440000", 1),
                held("SPY240119C00450000", -1),
                held("SPY240119C00460000", 1),
            ],
            "equal wings",
        ),
    ],
)
def test_a_structure_refuses_parts_that_are_not_its_shape(
    kind: StructureKind, legs: list[OptionLeg], problem: str
) -> None:
    parts = tuple(StructurePart(leg, 1) for leg in legs)
    with pytest.raises(ValueError, match=problem):
        Structure(kind, 1, parts)


def test_a_part_cannot_use_more_contracts_than_the_leg_holds() -> None:
    with pytest.raises(ValueError, match="between 1 and 1 contracts"):
        StructurePart(held("SPY240119P00400000", -1), 2)


# --- shares beside options -------------------------------------------------------------------


def test_shares_cover_calls_by_the_hundred_and_the_odd_lot_stays_stock() -> None:
    structures = classify(
        [held("SPY240119C00550000", -1, "300")], [shares("SPY", "150", cost="50")]
    )
    assert shape(structures) == [
        (StructureKind.LONG_STOCK, 1, ["+50 SH"]),
        (StructureKind.COVERED_CALL, 1, ["-SPY240119C00550000", "+100 SH"]),
    ]


def test_a_short_call_beyond_the_shares_stays_naked() -> None:
    structures = classify(
        [held("SPY240119C00550000", -2, "300")], [shares("SPY", "100", cost="50")]
    )
    assert shape(structures) == [
        (StructureKind.SHORT_CALL, 1, ["-SPY240119C00550000"]),
        (StructureKind.COVERED_CALL, 1, ["-SPY240119C00550000", "+100 SH"]),
    ]
    naked = next(s for s in structures if s.kind is StructureKind.SHORT_CALL)
    assert structure_risk(naked, premium_from_basis(naked)).is_unbounded("max_loss")


def test_shares_pair_only_with_their_own_account_and_symbol() -> None:
    structures = classify(
        [held("SPY240119C00550000", -1), held("QQQ240119C00450000", -1)],
        [shares("SPY", "100", cost="50", account_id="VA000002"), shares("IWM", "100", cost="50")],
    )
    assert [(s.account_id, s.kind) for s in structures] == [
        ("VA000001", StructureKind.LONG_STOCK),
        ("VA000001", StructureKind.SHORT_CALL),
        ("VA000001", StructureKind.SHORT_CALL),
        ("VA000002", StructureKind.LONG_STOCK),
    ]


def test_an_adjusted_root_never_pairs_with_shares_and_its_figures_are_flagged() -> None:
    """AAPL1 may deliver anything but 100 shares of AAPL: nothing assumes it does."""
    structures = classify(
        [held("AAPL1240119C00150000", -1, "300")], [shares("AAPL", "100", cost="50")]
    )
    assert [s.kind for s in structures] == [StructureKind.LONG_STOCK, StructureKind.SHORT_CALL]
    adjusted = structures[1]
    risk = structure_risk(adjusted, premium_from_basis(adjusted))
    assert set(risk.unknown) == {"max_profit", "max_loss", "breakevens"}
    assert "adjusted contract" in risk.notes[0]
    assert risk.net_premium == Decimal(300)  # the broker's dollars are still true


def test_a_structure_of_an_adjusted_root_refuses_shares() -> None:
    leg = held("AAPL1240119C00150000", -1)
    with pytest.raises(ValueError, match="adjusted contract"):
        Structure(
            StructureKind.COVERED_CALL,
            1,
            (StructurePart(leg, 1),),
            StockPart(shares("AAPL", "100", cost="50"), Decimal(100)),
        )


def test_stock_given_twice_is_refused_not_merged() -> None:
    with pytest.raises(ValueError, match="SPY stock of account VA000001 appears more than once"):
        classify([], [shares("SPY", "100", cost="50"), shares("SPY", "200", cost="50")])


# --- the guard against overstated losses -----------------------------------------------------


def test_pieces_whose_losses_add_up_to_more_than_the_whole_merge_into_one_custom() -> None:
    """A bear call spread beside a long call below it: apart, the spread's 500 loss and the
    long call's debit; together the long call pays for the spread's loss."""
    legs = [
        held("SPY240119C00450000", 1, "700"),
        held("SPY240119C00455000", -1, "400"),
        held("SPY240119C00460000", 1, "200"),
    ]
    (whole,) = classify(legs)
    assert whole.kind is StructureKind.CUSTOM
    risk = structure_risk(whole, premium_from_basis(whole))
    assert (risk.max_loss, risk.is_unbounded("max_profit")) == (Decimal(500), True)


def test_shares_alone_join_the_guard_when_a_long_call_caps_them() -> None:
    """50 shares short are no protective call (that takes 100), but a long call caps them:
    apart, short stock's unbounded loss; together, at most 2,800 (at the 550 strike)."""
    structures = classify(
        [held("SPY240119C00550000", 1, "300")], [shares("SPY", "-50", cost="500")]
    )
    assert shape(structures) == [
        (StructureKind.CUSTOM, 1, ["+SPY240119C00550000", "-50 SH"]),
    ]
    (whole,) = structures
    assert structure_risk(whole, premium_from_basis(whole)).max_loss == Decimal(2800)


def test_structures_across_expirations_are_never_merged_by_the_guard() -> None:
    legs = [held("SPY240119C00450000", -1, "300"), held("SPY240216C00450000", 1, "500")]
    assert [s.kind for s in classify(legs)] == [StructureKind.LONG_CALL_CALENDAR]


# --- risk when something is not known --------------------------------------------------------


def test_a_missing_cost_basis_makes_the_premium_and_what_depends_on_it_unknown() -> None:
    (spread,) = classify(
        [held("SPY240119C00460000", -1, None), held("SPY240119C00465000", 1, "120")]
    )
    risk = structure_risk(spread, premium_from_basis(spread))
    assert risk.net_premium is None
    assert set(risk.unknown) == {"net_premium", "max_profit", "max_loss", "breakevens"}
    (naked,) = classify([held("SPY240119C00460000", -1, None)])
    naked_risk = structure_risk(naked, premium_from_basis(naked))
    assert naked_risk.is_unbounded("max_loss")  # unknown premium, still without limit
    assert "max_profit" in naked_risk.unknown


def test_figures_are_exact_whatever_the_callers_decimal_context() -> None:
    (spread,) = classify(
        [
            held("SPY240119P00400000", -3, "155.3333333333333333333333333333"),
            held("SPY240119P00395000", 3, "90"),
        ]
    )
    with localcontext(Context(prec=5)):
        risk = structure_risk(spread, premium_from_basis(spread))
    assert risk.net_premium == Decimal("195.9999999999999999999999999999")
    assert risk.max_loss == Decimal("1304.0000000000000000000000000001")

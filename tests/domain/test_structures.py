"""Spread classification and envelopes: golden cases for every structure, and the rules that
decide what pairs with what."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Context, Decimal, Inexact, localcontext

import pytest

from legsync.domain import OptionLeg, Side, TradeLeg, parse_occ_symbol
from legsync.domain.envelope import (
    UNBOUNDED,
    UNKNOWN,
    Bound,
    compute_spread_envelope,
)
from legsync.domain.structures import (
    CREDIT_SPREADS,
    DEBIT_SPREADS,
    Structure,
    StructureKind,
    StructurePart,
    classify,
)

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
    """Structures as (kind, quantity, ["+SYMBOL" / "-SYMBOL" per part]) for readable asserts."""
    return [
        (
            s.kind,
            s.quantity,
            [("+" if p.leg.side is Side.LONG else "-") + p.leg.occ_symbol for p in s.parts],
        )
        for s in structures
    ]


def dollars(amount: str) -> Bound:
    return Bound.limited(Decimal(amount))


@dataclass(frozen=True)
class Golden:
    name: str
    legs: tuple[OptionLeg, ...]
    kind: StructureKind
    quantity: int
    width: str | None
    net_credit: str
    max_profit: Bound
    max_loss: Bound
    breakevens: tuple[str, ...]


GOLDEN = [
    Golden(
        "long call: pays 1.55, makes without limit above 451.55",
        (held("SPY240119C00450000", 1, "155"),),
        StructureKind.LONG_CALL,
        1,
        None,
        "-1.55",
        UNBOUNDED,
        dollars("155"),
        ("451.55",),
    ),
    Golden(
        "short call: keeps at most the 2.10 credit, loses without limit",
        (held("SPY240119C00450000", -2, "210"),),
        StructureKind.SHORT_CALL,
        2,
        None,
        "2.10",
        dollars("420"),
        UNBOUNDED,
        ("452.10",),
    ),
    Golden(
        "long put: makes at most the strike less the debit (the underlying stops at zero)",
        (held("SPY240119P00400000", 1, "300"),),
        StructureKind.LONG_PUT,
        1,
        None,
        "-3",
        dollars("39700"),
        dollars("300"),
        ("397",),
    ),
    Golden(
        "short put: loses at most the strike less the credit",
        (held("SPY240119P00400000", -1, "250"),),
        StructureKind.SHORT_PUT,
        1,
        None,
        "2.50",
        dollars("250"),
        dollars("39750"),
        ("397.50",),
    ),
    Golden(
        "bull put spread (credit): 2 x 400/395 for 0.65, risks (5 - 0.65) x 100 x 2",
        (held("SPY240119P00400000", -2, "155"), held("SPY240119P00395000", 2, "90")),
        StructureKind.BULL_PUT_SPREAD,
        2,
        "5",
        "0.65",
        dollars("130"),
        dollars("870"),
        ("399.35",),
    ),
    Golden(
        "bear call spread (credit): 460/465 for 0.80",
        (held("SPY240119C00460000", -1, "200"), held("SPY240119C00465000", 1, "120")),
        StructureKind.BEAR_CALL_SPREAD,
        1,
        "5",
        "0.80",
        dollars("80"),
        dollars("420"),
        ("460.80",),
    ),
    Golden(
        "bull call spread (debit): 450/455 for 2.20",
        (held("SPY240119C00450000", 1, "500"), held("SPY240119C00455000", -1, "280")),
        StructureKind.BULL_CALL_SPREAD,
        1,
        "5",
        "-2.20",
        dollars("280"),
        dollars("220"),
        ("452.20",),
    ),
    Golden(
        "bear put spread (debit): 400/395 for 2.00",
        (held("SPY240119P00400000", 1, "450"), held("SPY240119P00395000", -1, "250")),
        StructureKind.BEAR_PUT_SPREAD,
        1,
        "5",
        "-2",
        dollars("300"),
        dollars("200"),
        ("398",),
    ),
    Golden(
        "iron condor: 390/395 puts and 455/460 calls for 1.00",
        (
            held("SPY240119P00390000", 1, "60"),
            held("SPY240119P00395000", -1, "110"),
            held("SPY240119C00455000", -1, "120"),
            held("SPY240119C00460000", 1, "70"),
        ),
        StructureKind.IRON_CONDOR,
        1,
        "5",
        "1",
        dollars("100"),
        dollars("400"),
        ("394", "456"),
    ),
    Golden(
        "broken-wing iron condor: the wider (call) wing bounds the loss",
        (
            held("SPY240119P00390000", 3, "60"),
            held("SPY240119P00395000", -3, "110"),
            held("SPY240119C00455000", -3, "120"),
            held("SPY240119C00465000", 3, "40"),
        ),
        StructureKind.IRON_CONDOR,
        3,
        "10",
        "1.30",
        dollars("390"),
        dollars("2610"),
        ("393.70", "456.30"),
    ),
    Golden(
        "iron butterfly: the short put and call share the 450 strike",
        (
            held("SPY240119P00440000", 1, "100"),
            held("SPY240119P00450000", -1, "400"),
            held("SPY240119C00450000", -1, "420"),
            held("SPY240119C00460000", 1, "110"),
        ),
        StructureKind.IRON_BUTTERFLY,
        1,
        "10",
        "6.10",
        dollars("610"),
        dollars("390"),
        ("443.90", "456.10"),
    ),
    Golden(
        "long straddle: pays 12.50, makes without limit either way",
        (held("SPY240119P00450000", 1, "600"), held("SPY240119C00450000", 1, "650")),
        StructureKind.LONG_STRADDLE,
        1,
        None,
        "-12.50",
        UNBOUNDED,
        dollars("1250"),
        ("437.50", "462.50"),
    ),
    Golden(
        "short straddle: keeps at most 12.50, loses without limit",
        (held("SPY240119P00450000", -1, "600"), held("SPY240119C00450000", -1, "650")),
        StructureKind.SHORT_STRADDLE,
        1,
        None,
        "12.50",
        dollars("1250"),
        UNBOUNDED,
        ("437.50", "462.50"),
    ),
    Golden(
        "long strangle: 440 put and 460 call for 6.50",
        (held("SPY240119P00440000", 2, "300"), held("SPY240119C00460000", 2, "350")),
        StructureKind.LONG_STRANGLE,
        2,
        None,
        "-6.50",
        UNBOUNDED,
        dollars("1300"),
        ("433.50", "466.50"),
    ),
    Golden(
        "short strangle: 440 put and 460 call for 6.50",
        (held("SPY240119P00440000", -1, "300"), held("SPY240119C00460000", -1, "350")),
        StructureKind.SHORT_STRANGLE,
        1,
        None,
        "6.50",
        dollars("650"),
        UNBOUNDED,
        ("433.50", "466.50"),
    ),
    Golden(
        "calendar: short January, long February, one strike; no closed-form envelope",
        (held("SPY240119C00450000", -1, "300"), held("SPY240216C00450000", 1, "550")),
        StructureKind.CALENDAR,
        1,
        None,
        "-2.50",
        UNKNOWN,
        UNKNOWN,
        (),
    ),
    Golden(
        "diagonal: short January 455, long February 450",
        (held("SPY240119C00455000", -1, "200"), held("SPY240216C00450000", 1, "600")),
        StructureKind.DIAGONAL,
        1,
        None,
        "-4",
        UNKNOWN,
        UNKNOWN,
        (),
    ),
]


@pytest.mark.parametrize("golden", GOLDEN, ids=[g.kind.value + ": " + g.name for g in GOLDEN])
def test_golden_structure_and_envelope(golden: Golden) -> None:
    (structure,) = classify(golden.legs)
    assert structure.kind is golden.kind
    assert structure.quantity == golden.quantity
    assert {p.leg for p in structure.parts} == set(golden.legs)

    envelope = compute_spread_envelope(structure)
    assert envelope.kind is golden.kind
    assert envelope.quantity == golden.quantity
    assert envelope.width == (None if golden.width is None else Decimal(golden.width))
    assert envelope.net_credit == Decimal(golden.net_credit)
    assert envelope.max_profit == golden.max_profit
    assert envelope.max_loss == golden.max_loss
    assert envelope.breakevens == tuple(Decimal(b) for b in golden.breakevens)


def test_every_structure_kind_has_a_golden_case() -> None:
    assert {g.kind for g in GOLDEN} == set(StructureKind)


def test_bull_put_and_bear_call_are_credit_spreads_bull_call_and_bear_put_debit() -> None:
    assert {StructureKind.BULL_PUT_SPREAD, StructureKind.BEAR_CALL_SPREAD} == CREDIT_SPREADS
    assert {StructureKind.BULL_CALL_SPREAD, StructureKind.BEAR_PUT_SPREAD} == DEBIT_SPREADS
    for golden in GOLDEN:
        envelope = compute_spread_envelope(classify(golden.legs)[0])
        if golden.kind in CREDIT_SPREADS:
            assert envelope.is_credit is True
        if golden.kind in DEBIT_SPREADS:
            assert envelope.is_credit is False


def test_the_envelope_says_per_share_premium_and_whole_dollars_per_spread() -> None:
    (spread,) = classify(
        [held("SPY240119P00400000", -2, "155"), held("SPY240119P00395000", 2, "90")]
    )
    envelope = compute_spread_envelope(spread)
    assert envelope.net_credit == Decimal("0.65")
    assert envelope.net_credit_per_spread == Decimal("65")
    assert envelope.defined_risk


def test_the_premium_per_spread_is_exact_whatever_the_callers_decimal_context() -> None:
    (spread,) = classify(
        [held("SPY240119P00400000", -2, "155.57"), held("SPY240119P00395000", 2, "90")]
    )
    envelope = compute_spread_envelope(spread)
    with localcontext(Context(prec=2, traps=[Inexact])):
        per_spread = envelope.net_credit_per_spread
    assert per_spread == Decimal("65.57")


def test_a_missing_cost_basis_makes_the_premium_and_what_depends_on_it_unknown() -> None:
    (spread,) = classify(
        [held("SPY240119C00460000", -1, None), held("SPY240119C00465000", 1, "120")]
    )
    envelope = compute_spread_envelope(spread)
    assert envelope.width == Decimal(5)
    assert envelope.net_credit is None
    assert envelope.is_credit is None
    assert envelope.max_profit == UNKNOWN
    assert envelope.max_loss == UNKNOWN
    assert envelope.breakevens == ()
    (naked,) = classify([held("SPY240119C00460000", -1, None)])
    assert compute_spread_envelope(naked).max_loss == UNBOUNDED  # unknown premium, still unbounded


def test_figures_are_exact_whatever_the_callers_decimal_context() -> None:
    import decimal

    (spread,) = classify(
        [
            held("SPY240119P00400000", -3, "155.3333333333333333333333333333"),
            held("SPY240119P00395000", 3, "90"),
        ]
    )
    with decimal.localcontext(decimal.Context(prec=5)):
        envelope = compute_spread_envelope(spread)
    assert envelope.net_credit == Decimal("0.653333333333333333333333333333")


# --- what pairs with what ----------------------------------------------------------------------


def test_unequal_quantities_split_into_a_matched_spread_and_a_leftover_single() -> None:
    legs = [held("SPY240119P00400000", -2, "155"), held("SPY240119P00395000", 3, "90")]
    assert shape(classify(legs)) == [
        (StructureKind.LONG_PUT, 1, ["+SPY240119P00395000"]),
        (StructureKind.BULL_PUT_SPREAD, 2, ["+SPY240119P00395000", "-SPY240119P00400000"]),
    ]


def test_different_expirations_never_form_a_vertical() -> None:
    short_near_long_far = [held("SPY240119P00400000", -1), held("SPY240216P00395000", 1)]
    assert [s.kind for s in classify(short_near_long_far)] == [StructureKind.DIAGONAL]
    long_near_short_far = [held("SPY240119P00395000", 1), held("SPY240216P00400000", -1)]
    assert [s.kind for s in classify(long_near_short_far)] == [
        StructureKind.LONG_PUT,
        StructureKind.SHORT_PUT,
    ]


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


def test_long_and_short_of_one_contract_do_not_make_a_spread() -> None:
    legs = [held("SPY240119C00450000", 1), held("SPY240119C00450000", -1)]
    assert [s.kind for s in classify(legs)] == [StructureKind.LONG_CALL, StructureKind.SHORT_CALL]


def test_the_narrowest_vertical_wins_and_a_credit_spread_breaks_a_tie() -> None:
    legs = [
        held("SPY240119C00450000", 1),
        held("SPY240119C00455000", -1),
        held("SPY240119C00460000", 1),
        held("SPY240119C00470000", 1),
    ]
    assert shape(classify(legs)) == [
        (StructureKind.LONG_CALL, 1, ["+SPY240119C00450000"]),
        (StructureKind.BEAR_CALL_SPREAD, 1, ["-SPY240119C00455000", "+SPY240119C00460000"]),
        (StructureKind.LONG_CALL, 1, ["+SPY240119C00470000"]),
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
    order of an iron condor."""
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
        ("SPY", legs[3].expiration, StructureKind.LONG_PUT),
        ("SPY", legs[2].expiration, StructureKind.SHORT_CALL),
        ("SPY", legs[1].expiration, StructureKind.SHORT_PUT),
    ]


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
            "strikes differ",
        ),
        (
            StructureKind.BULL_CALL_SPREAD,
            [held("SPY240119P00395000", 1), held("SPY240119P00400000", -1)],
            "expected long call, short call",
        ),
        (
            StructureKind.CALENDAR,
            [held("SPY240119C00450000", 1), held("SPY240216C00450000", -1)],
            "short the near expiration",
        ),
        (
            StructureKind.IRON_BUTTERFLY,
            [
                held("SPY240119P00390000", 1),
                held("SPY240119P00395000", -1),
                held("SPY240119C00455000", -1),
                held("SPY240119C00460000", 1),
            ],
            "short put = short call",
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

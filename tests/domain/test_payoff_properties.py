"""The named risk formulas a trader knows (width minus credit, and so on) equal the payoff at
expiry evaluated at zero, at every strike and by its slope past the last one, for random
structures and premiums. The formulas live here, as the specification; the library has one
implementation of risk, the evaluation (legsync.domain.payoff and legsync.domain.risk)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legsync.domain import OptionLeg, Side, parse_occ_symbol
from legsync.domain.classification import classify
from legsync.domain.kinds import StructureKind as K
from legsync.domain.payoff import expiry_risk, payoff_at, payoff_points
from legsync.domain.risk import structure_risk
from legsync.domain.stock import StockPosition
from legsync.domain.structures import Structure

AT = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
HUNDRED = Decimal(100)

prices = st.decimals(min_value=0, max_value=30, places=2)
"""A premium per share (what a quote shows)."""


def option(kind: str, strike: int, quantity: int, expiry: str = "270319") -> OptionLeg:
    symbol = f"SPY{expiry}{kind}{strike * 1000:08d}"
    side = Side.LONG if quantity > 0 else Side.SHORT
    return OptionLeg("VA000001", parse_occ_symbol(symbol), side, abs(quantity), None, None, AT)


def stock(quantity: int, basis: Decimal) -> StockPosition:
    return StockPosition("VA000001", "SPY", Decimal(quantity), basis, None, AT)


@dataclass(frozen=True)
class Named:
    """A structure built from drawn strikes, its kind, and the trader's formulas for its max
    profit and max loss per share of one unit (None: unbounded), from the strikes ``k`` and
    the signed premium per share ``c`` (positive a credit)."""

    kind: K
    legs: Callable[[list[int], int], list[OptionLeg]]
    profit: Callable[[list[Decimal], Decimal], Decimal | None]
    loss: Callable[[list[Decimal], Decimal], Decimal | None]
    strikes: int


NAMED = [
    Named(K.BULL_PUT_SPREAD, lambda k, n: [option("P", k[0], n), option("P", k[1], -n)],
          lambda k, c: c, lambda k, c: (k[1] - k[0]) - c, 2),
    Named(K.BEAR_CALL_SPREAD, lambda k, n: [option("C", k[0], -n), option("C", k[1], n)],
          lambda k, c: c, lambda k, c: (k[1] - k[0]) - c, 2),
    Named(K.BULL_CALL_SPREAD, lambda k, n: [option("C", k[0], n), option("C", k[1], -n)],
          lambda k, c: (k[1] - k[0]) + c, lambda k, c: -c, 2),
    Named(K.BEAR_PUT_SPREAD, lambda k, n: [option("P", k[0], -n), option("P", k[1], n)],
          lambda k, c: (k[1] - k[0]) + c, lambda k, c: -c, 2),
    Named(K.IRON_CONDOR,
          lambda k, n: [option("P", k[0], n), option("P", k[1], -n), option("C", k[2], -n),
                        option("C", k[3], n)],
          lambda k, c: c, lambda k, c: max(k[1] - k[0], k[3] - k[2]) - c, 4),
    Named(K.LONG_STRANGLE, lambda k, n: [option("P", k[0], n), option("C", k[1], n)],
          lambda k, c: None, lambda k, c: -c, 2),
    Named(K.SHORT_STRANGLE, lambda k, n: [option("P", k[0], -n), option("C", k[1], -n)],
          lambda k, c: c, lambda k, c: None, 2),
    Named(K.SHORT_CALL, lambda k, n: [option("C", k[0], -n)], lambda k, c: c,
          lambda k, c: None, 1),
    Named(K.SHORT_PUT, lambda k, n: [option("P", k[0], -n)], lambda k, c: c,
          lambda k, c: k[0] - c, 1),
    Named(K.LONG_BOX,
          lambda k, n: [option("C", k[0], n), option("C", k[1], -n), option("P", k[1], n),
                        option("P", k[0], -n)],
          lambda k, c: (k[1] - k[0]) + c, lambda k, c: -((k[1] - k[0]) + c), 2),
    Named(K.CALL_BACKSPREAD, lambda k, n: [option("C", k[0], -n), option("C", k[1], 2 * n)],
          lambda k, c: None, lambda k, c: (k[1] - k[0]) - c, 2),
    Named(K.BULL_CALL_LADDER,
          lambda k, n: [option("C", k[0], n), option("C", k[1], -n), option("C", k[2], -n)],
          lambda k, c: (k[1] - k[0]) + c, lambda k, c: None, 3),
]  # fmt: skip


@st.composite
def named_structures(draw: st.DrawFn) -> tuple[Named, Structure, Decimal, list[Decimal]]:
    named = draw(st.sampled_from(NAMED))
    strikes = sorted(draw(st.lists(st.integers(380, 420), min_size=named.strikes,
                                   max_size=named.strikes, unique=True)))  # fmt: skip
    units = draw(st.integers(1, 5))
    (structure,) = classify(named.legs(strikes, units))
    assert (structure.kind, structure.quantity) == (named.kind, units)
    credit = draw(prices) * draw(st.sampled_from([1, -1]))
    return named, structure, credit, [Decimal(k) for k in strikes]


@given(named_structures())
def test_the_named_formulas_equal_the_payoff_evaluation(
    drawn: tuple[Named, Structure, Decimal, list[Decimal]],
) -> None:
    named, structure, credit, strikes = drawn
    dollars = HUNDRED * structure.quantity
    risk = structure_risk(structure, credit * dollars)
    for figure, formula in (("max_profit", named.profit), ("max_loss", named.loss)):
        expected = formula(strikes, credit)
        if expected is None:
            assert risk.is_unbounded(figure), figure
        else:
            assert getattr(risk, figure) == expected * dollars, figure


@given(st.integers(380, 420), st.integers(1, 30), st.integers(1, 5), prices)
def test_a_butterflys_formulas_equal_the_payoff_evaluation(
    low: int, wing: int, units: int, debit: Decimal
) -> None:
    legs = [option("C", low, units), option("C", low + wing, -2 * units)]
    legs.append(option("C", low + 2 * wing, units))
    (butterfly,) = classify(legs)
    assert butterfly.kind is K.LONG_CALL_BUTTERFLY
    risk = structure_risk(butterfly, -debit * HUNDRED * units)
    assert risk.max_loss == debit * HUNDRED * units
    assert risk.max_profit == (wing - debit) * HUNDRED * units


@given(st.integers(20, 80), st.integers(1, 20), st.integers(1, 5), prices, prices)
def test_a_covered_calls_formulas_equal_the_payoff_evaluation(
    strike: int, above: int, units: int, basis: Decimal, credit: Decimal
) -> None:
    """Max profit: the strike less the shares' cost plus the call's credit; max loss: the
    shares' cost less the credit (the stock going to zero)."""
    (covered,) = classify(
        [option("C", strike + above, -units)], [stock(100 * units, Decimal(strike) + basis)]
    )
    assert covered.kind is K.COVERED_CALL
    cost = (Decimal(strike) + basis) * 100 * units
    risk = structure_risk(covered, credit * HUNDRED * units - cost)
    assert risk.max_profit == (strike + above) * 100 * units - cost + credit * HUNDRED * units
    assert risk.max_loss == cost - credit * HUNDRED * units


@given(named_structures())
def test_max_profit_and_max_loss_bound_the_payoff_everywhere(
    drawn: tuple[Named, Structure, Decimal, list[Decimal]],
) -> None:
    _, structure, credit, _strikes = drawn
    premium = credit * HUNDRED * structure.quantity
    risk = expiry_risk(structure, premium)
    for price in [Decimal(p) / 4 for p in range(4 * 450)]:
        value = payoff_at(structure, price, premium)
        assert risk.max_profit is None or value <= risk.max_profit
        assert risk.max_loss is None or value >= -risk.max_loss


@given(named_structures())
def test_the_breakevens_are_where_the_payoff_crosses_zero(
    drawn: tuple[Named, Structure, Decimal, list[Decimal]],
) -> None:
    _, structure, credit, _ = drawn
    premium = credit * HUNDRED * structure.quantity
    risk = expiry_risk(structure, premium)
    for price in risk.breakevens:
        assert payoff_at(structure, price, premium) == 0
    values = [value for _, value in payoff_points(structure, premium)]
    if min(values) < 0 < max(values):
        assert risk.breakevens


def test_a_structure_across_expirations_has_no_payoff_formula() -> None:
    legs = [option("C", 600, -1), option("C", 600, 1, expiry="270618")]
    (calendar,) = classify(legs)
    with pytest.raises(ValueError, match="spans 2 expirations"):
        expiry_risk(calendar, Decimal(-200))

"""The named risk formulas (width minus credit, and so on) equal the payoff at expiry evaluated
at zero, at every strike and by its slope past the last one, for any structure and premium."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legsync.domain import OptionLeg
from legsync.domain.envelope import Bound, BoundKind, compute_spread_envelope
from legsync.domain.payoff import expiry_risk, payoff_at, payoff_points
from legsync.domain.structures import Structure, StructureKind, classify
from legsync.testing import leg

from .test_structures_properties import AT, keys

IRON = {StructureKind.IRON_CONDOR, StructureKind.IRON_BUTTERFLY}

priced_leg_sets = st.dictionaries(
    keys, st.tuples(st.integers(1, 6), st.decimals(min_value=1, max_value=3000, places=2)),
    min_size=1, max_size=10,
).map(
    lambda held: [
        OptionLeg(k.account_id, k.occ, k.side, quantity, cost, None, AT)
        for k, (quantity, cost) in held.items()
    ]
)  # fmt: skip


def one_expiration(legs: list[OptionLeg]) -> list[Structure]:
    return [s for s in classify(legs) if len(s.expirations) == 1]


def amount(bound: Bound) -> Decimal | None:
    assert bound.kind is not BoundKind.UNKNOWN
    return bound.amount


premiums = st.decimals(min_value=-25, max_value=25, places=2)


def iron_condor(strikes: list[Decimal]) -> list[OptionLeg]:
    """Long put < short put <= short call < long call, one of each (strikes ascending)."""
    low, short_put, short_call, high = strikes
    return [
        leg(f"SPY270319P{int(low * 1000):08d}", 1),
        leg(f"SPY270319P{int(short_put * 1000):08d}", -1),
        leg(f"SPY270319C{int(short_call * 1000):08d}", -1),
        leg(f"SPY270319C{int(high * 1000):08d}", 1),
    ]


condors = (
    st.lists(st.integers(380, 420), min_size=4, max_size=4, unique=True)
    .map(sorted)
    .map(lambda xs: iron_condor([Decimal(x) for x in xs]))
)
verticals = st.tuples(
    st.lists(st.integers(380, 420), min_size=2, max_size=2, unique=True),
    st.sampled_from("CP"),
    st.booleans(),
).map(
    lambda t: [
        leg(f"SPY270319{t[1]}{t[0][0] * 1000:08d}", 1 if t[2] else -1),
        leg(f"SPY270319{t[1]}{t[0][1] * 1000:08d}", -1 if t[2] else 1),
    ]
)
straddles = st.tuples(st.integers(380, 420), st.integers(0, 10), st.booleans()).map(
    lambda t: [
        leg(f"SPY270319P{t[0] * 1000:08d}", 1 if t[2] else -1),
        leg(f"SPY270319C{(t[0] + t[1]) * 1000:08d}", 1 if t[2] else -1),
    ]
)
structures = (priced_leg_sets | condors | verticals | straddles).map(one_expiration).filter(bool)


@given(structures, st.data())
def test_max_profit_and_max_loss_are_the_payoffs_extremes(
    found: list[Structure], data: st.DataObject
) -> None:
    for structure in found:
        credit = data.draw(premiums)
        envelope = compute_spread_envelope(structure, credit)
        risk = expiry_risk(structure, credit)
        assert amount(envelope.max_profit) == risk.max_profit, structure.kind
        assert amount(envelope.max_loss) == risk.max_loss, structure.kind


@given(structures, st.data())
def test_the_breakevens_are_where_the_payoff_crosses_zero(
    found: list[Structure], data: st.DataObject
) -> None:
    for structure in found:
        credit = data.draw(premiums)
        values = [value for _, value in payoff_points(structure, credit)]
        # The formulas' breakevens assume a premium that can be lost and won: a credit below
        # each wing's width, a debit below the width. Other premiums are a broker's error.
        if not min(values) < 0 < max(values):
            continue
        if structure.kind in IRON:
            strikes = [part.leg.strike for part in structure.parts]
            if credit >= min(strikes[1] - strikes[0], strikes[3] - strikes[2]):
                continue
        envelope = compute_spread_envelope(structure, credit)
        risk = expiry_risk(structure, credit)
        assert {b.normalize() for b in envelope.breakevens} == set(risk.breakevens), structure.kind
        for price in risk.breakevens:
            assert payoff_at(structure, price, credit) == 0


def test_a_structure_across_expirations_has_no_payoff_formula() -> None:
    legs = [leg("SPY270319C00600000", -1, cost="-300"), leg("SPY270618C00600000", 1, cost="500")]
    (calendar,) = classify(legs)
    with pytest.raises(ValueError, match="spans 2 expirations"):
        expiry_risk(calendar, Decimal(-2))

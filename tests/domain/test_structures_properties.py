"""Properties of classification that must hold for any set of legs, not just the golden ones."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from legsync.domain import LegKey, OccSymbol, OptionLeg, OptionType, Side
from legsync.domain.envelope import BoundKind, compute_spread_envelope
from legsync.domain.structures import CREDIT_SPREADS, DEBIT_SPREADS, StructureKind, classify

AT = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
HUNDRED = Decimal(100)

# A small universe, so that random legs collide into spreads often.
accounts = st.sampled_from(["VA000001", "VA000002"])
roots = st.sampled_from(["SPY", "SPX", "SPXW"])
expirations = st.sampled_from([date(2024, 1, 19), date(2024, 2, 16), date(2024, 3, 15)])
strikes = st.sampled_from([Decimal(s) for s in ("390", "395", "400", "402.5", "405", "410")])
costs = st.none() | st.decimals(min_value=0, max_value=3000, places=2)


def leg(key: LegKey, quantity: int, cost: Decimal | None) -> OptionLeg:
    return OptionLeg(
        account_id=key.account_id,
        occ=key.occ,
        side=key.side,
        quantity=quantity,
        cost_basis_per_contract=cost,
        last_price=None,
        updated_at=AT,
    )


keys = st.builds(
    LegKey,
    accounts,
    roots,
    expirations,
    st.sampled_from(OptionType),
    strikes,
    st.sampled_from(Side),
)
leg_sets = st.dictionaries(keys, st.tuples(st.integers(0, 6), costs), max_size=14).map(
    lambda held: [leg(key, quantity, cost) for key, (quantity, cost) in held.items()]
)


@given(leg_sets)
def test_every_contract_held_is_used_exactly_once(legs: list[OptionLeg]) -> None:
    used: Counter[LegKey] = Counter()
    for structure in classify(legs):
        for part in structure.parts:
            used[part.leg.key] += part.contracts
    assert used == Counter({leg.key: leg.quantity for leg in legs if leg.quantity > 0})


@given(st.data(), leg_sets)
def test_the_order_of_the_legs_changes_nothing(data: st.DataObject, legs: list[OptionLeg]) -> None:
    shuffled = data.draw(st.permutations(legs))
    assert classify(shuffled) == classify(legs)


@given(leg_sets)
def test_every_structure_has_an_envelope_and_stays_in_one_account_and_root(
    legs: list[OptionLeg],
) -> None:
    for structure in classify(legs):
        assert len({(p.leg.account_id, p.leg.root) for p in structure.parts}) == 1
        envelope = compute_spread_envelope(structure)
        assert envelope.quantity == structure.quantity
        if structure.kind.is_vertical:
            assert len(structure.expirations) == 1


@st.composite
def verticals(draw: st.DrawFn) -> tuple[list[OptionLeg], Decimal, int]:
    """Two legs of one vertical: same root, expiration and type, different strikes, opposite
    sides, equal quantities, known cost bases. Returns the legs, the width and the quantity."""
    root, expiration = draw(roots), draw(expirations)
    option_type = draw(st.sampled_from(OptionType))
    low, high = sorted(draw(st.lists(strikes, min_size=2, max_size=2, unique=True)))
    low_side = draw(st.sampled_from(Side))
    high_side = Side.SHORT if low_side is Side.LONG else Side.LONG
    quantity = draw(st.integers(1, 10))
    legs = [
        leg(
            LegKey("VA000001", root, expiration, option_type, strike, side),
            quantity,
            draw(st.decimals(min_value=0, max_value=3000, places=2)),
        )
        for strike, side in ((low, low_side), (high, high_side))
    ]
    return legs, high - low, quantity


@given(verticals())
def test_a_verticals_max_loss_is_its_width_less_the_credit(
    vertical: tuple[list[OptionLeg], Decimal, int],
) -> None:
    legs, width, quantity = vertical
    (structure,) = classify(legs)
    envelope = compute_spread_envelope(structure)
    credit = envelope.net_credit
    assert credit is not None
    assert envelope.width == width
    assert envelope.max_loss.kind is BoundKind.LIMITED
    assert envelope.max_profit.kind is BoundKind.LIMITED
    if structure.kind in CREDIT_SPREADS:
        assert envelope.max_loss.amount == (width - credit) * HUNDRED * quantity
        assert envelope.max_profit.amount == credit * HUNDRED * quantity
    else:
        assert structure.kind in DEBIT_SPREADS
        debit = -credit
        assert envelope.max_loss.amount == debit * HUNDRED * quantity
        assert envelope.max_profit.amount == (width - debit) * HUNDRED * quantity
    # Whatever the premium, profit and loss together span exactly the width.
    assert envelope.max_profit.amount + envelope.max_loss.amount == width * HUNDRED * quantity


@given(
    st.lists(strikes, min_size=4, max_size=4, unique=True).map(sorted),
    st.lists(st.decimals(min_value=0, max_value=3000, places=2), min_size=4, max_size=4),
    st.integers(1, 10),
)
def test_an_iron_condors_max_loss_is_its_wider_wing_less_the_credit(
    condor_strikes: list[Decimal], condor_costs: list[Decimal], quantity: int
) -> None:
    long_put, short_put, short_call, long_call = condor_strikes
    shape = [
        (OptionType.PUT, long_put, Side.LONG),
        (OptionType.PUT, short_put, Side.SHORT),
        (OptionType.CALL, short_call, Side.SHORT),
        (OptionType.CALL, long_call, Side.LONG),
    ]
    legs = [
        leg(LegKey("VA000001", "SPY", date(2024, 1, 19), t, k, s), quantity, cost)
        for (t, k, s), cost in zip(shape, condor_costs, strict=True)
    ]
    (structure,) = classify(legs)
    assert structure.kind is StructureKind.IRON_CONDOR
    envelope = compute_spread_envelope(structure)
    assert envelope.net_credit is not None
    width = max(short_put - long_put, long_call - short_call)
    assert envelope.max_loss.amount == (width - envelope.net_credit) * HUNDRED * quantity
    assert [p.leg.occ for p in structure.parts] == [
        OccSymbol("SPY", date(2024, 1, 19), t, k) for t, k, _ in shape
    ]

"""Properties of classification that must hold for any holdings, not just the table's."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from legsync.domain import LegKey, OptionLeg, OptionType, Side
from legsync.domain.classification import classify, merge
from legsync.domain.payoff import payoff_points, slope_above_strikes
from legsync.domain.risk import premium_from_basis, structure_risk
from legsync.domain.stock import StockPosition
from legsync.domain.structures import Structure

AT = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
HUNDRED = Decimal(100)

# A small universe, so that random legs collide into spreads often.
accounts = st.sampled_from(["VA000001", "VA000002"])
roots = st.sampled_from(["SPY", "SPX", "SPXW", "SPY7"])
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


shares = st.dictionaries(
    st.tuples(accounts, st.sampled_from(["SPY", "QQQ"])),
    st.tuples(st.integers(-350, 350).filter(bool), costs),
    max_size=3,
).map(
    lambda held: [
        StockPosition(account, symbol, Decimal(quantity), cost, None, AT)
        for (account, symbol), (quantity, cost) in held.items()
    ]
)


@given(leg_sets, shares)
def test_every_contract_and_share_held_is_used_exactly_once(
    legs: list[OptionLeg], stock: list[StockPosition]
) -> None:
    used: Counter[LegKey] = Counter()
    used_shares: Counter[tuple[str, str]] = Counter()
    for structure in classify(legs, stock):
        for part in structure.parts:
            used[part.leg.key] += part.contracts
        if structure.stock is not None:
            position = structure.stock.position
            used_shares[position.account_id, position.symbol] += int(structure.stock.shares)
    assert used == Counter({leg.key: leg.quantity for leg in legs if leg.quantity > 0})
    assert used_shares == Counter({(p.account_id, p.symbol): int(p.shares) for p in stock})


@given(st.data(), leg_sets, shares)
def test_the_order_of_the_holdings_changes_nothing(
    data: st.DataObject, legs: list[OptionLeg], stock: list[StockPosition]
) -> None:
    shuffled = data.draw(st.permutations(legs))
    assert classify(shuffled, reversed(stock)) == classify(legs, stock)


@given(leg_sets, shares)
def test_every_structure_has_a_risk_and_stays_in_one_account_and_root(
    legs: list[OptionLeg], stock: list[StockPosition]
) -> None:
    for structure in classify(legs, stock):
        assert len({(p.leg.account_id, p.leg.root) for p in structure.parts}) <= 1
        risk = structure_risk(structure, premium_from_basis(structure))
        if structure.standard_deliverable and len(structure.expirations) <= 1:
            if risk.net_premium is not None:
                assert not {"max_profit", "max_loss", "breakevens"} & set(risk.unknown)
        else:
            assert "max_profit" in risk.unknown


def worst(structure: Structure) -> Decimal | None:
    if slope_above_strikes(structure) < 0:
        return None
    return -min(value for _, value in payoff_points(structure))


@given(leg_sets, shares)
def test_no_expirations_structures_add_up_to_more_loss_than_they_can_lose_together(
    legs: list[OptionLeg], stock: list[StockPosition]
) -> None:
    """The guard's promise: per account, root and expiration, the structures' separate worst
    cases (shares alone included) sum to exactly the whole set's worst case."""
    groups: defaultdict[tuple[str, str, object], list[Structure]] = defaultdict(list)
    for structure in classify(legs, stock):
        if len(structure.expirations) == 1:
            groups[structure.account_id, structure.root, structure.expirations[0]].append(structure)
    for bucket in groups.values():
        whole = worst(merge(bucket))
        separate = [worst(s) for s in bucket]
        if whole is not None:
            assert None not in separate
            assert sum(w for w in separate if w is not None) == whole

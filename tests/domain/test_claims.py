"""Claims: contracts the broker holds, weighed against every open trade that names them.

An unmanaged trade's contracts are never a managed trade's to exit; a leg claimed beyond what
is held is over-claimed, and nobody on it may exit until a person resolves it.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legsync.domain import (
    ContractSide,
    Side,
    Trade,
    TradeLeg,
    TradeStatus,
    claims_on_legs,
    parse_occ_symbol,
)
from legsync.domain.reconciliation import exit_quantity
from legsync.testing import ACCOUNT, leg

PUT = "MSFT270115P00400000"
CALL = "MSFT270115C00450000"


def trade(trade_id: int, quantity: int, *, managed: bool | None = True, **changes: object) -> Trade:
    """A trade short one MSFT put per spread."""
    made = Trade(
        id=trade_id,
        account_id=ACCOUNT,
        symbol="MSFT",
        legs=(TradeLeg(parse_occ_symbol(PUT), Side.SHORT),),
        quantity=quantity,
        managed=managed,
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def exits(held: int, *trades: Trade) -> list[int]:
    """Each trade's exit quantity when the broker holds ``held`` of the put, short."""
    legs = [leg(PUT, -held)] if held else []
    claims = claims_on_legs(ACCOUNT, legs, trades)
    return [exit_quantity(t, claims, mirror_fresh=True) for t in trades]


@pytest.mark.parametrize(
    ("held", "trades", "expected"),
    [
        pytest.param(1, [trade(1, 1)], [1], id="one trade, all of it held"),
        pytest.param(1, [trade(1, 1, managed=False), trade(2, 1)], [0, 0], id="unmanaged first"),
        pytest.param(2, [trade(1, 1, managed=False), trade(2, 1)], [0, 1], id="room for both"),
        pytest.param(3, [trade(1, 2), trade(2, 2)], [0, 0], id="two managed, over-claimed"),
        pytest.param(4, [trade(1, 2), trade(2, 2)], [2, 2], id="two managed, both held"),
        pytest.param(2, [trade(1, 3)], [2], id="one trade short: it exits what is held"),
        pytest.param(
            2, [trade(1, 3), trade(2, 1, status=TradeStatus.CLOSED)], [2, 0], id="closed claims no"
        ),
        pytest.param(0, [trade(1, 1)], [0], id="nothing held"),
        pytest.param(
            3, [trade(1, 1, managed=None), trade(2, 2, managed=False)], [1, 0], id="legacy managed"
        ),
    ],
)
def test_who_may_exit_how_much(held: int, trades: list[Trade], expected: list[int]) -> None:
    assert exits(held, *trades) == expected


def test_an_unmanaged_claim_protects_the_position_from_a_managed_trade() -> None:
    """The broker holds 1 MSFT put; an imported, unmanaged trade claims it; a managed trade
    added on the same leg may exit none of it, and the leg is reported over-claimed."""
    imported, engine = trade(1, 1, managed=False), trade(2, 1)
    claims = claims_on_legs(ACCOUNT, [leg(PUT, -1)], [imported, engine])
    (put,) = claims.values()
    assert put.overclaimed
    assert (put.held, put.claimed, put.unclaimed) == (1, 2, 0)
    assert [(t.id, n) for t, n in put.claims] == [(1, 1), (2, 1)]
    assert put.reason == f"short {PUT}: trade 1 claims 1, trade 2 claims 1; 1 held"
    assert exit_quantity(engine, claims, mirror_fresh=True) == 0


def test_a_held_leg_nobody_claims_is_all_unclaimed() -> None:
    claims = claims_on_legs(ACCOUNT, [leg(CALL, 3)], [trade(1, 1)])
    call = claims[parse_occ_symbol(CALL), Side.LONG]
    assert (call.claims, call.unclaimed, call.overclaimed) == ((), 3, False)
    put = claims[parse_occ_symbol(PUT), Side.SHORT]
    assert (put.held, put.claimed) == (0, 1)


def test_legs_and_trades_of_other_accounts_claim_nothing() -> None:
    theirs = replace(trade(9, 5), account_id="6YA000002")
    claims = claims_on_legs(ACCOUNT, [leg(PUT, -1), leg(PUT, -7, account_id="6YA000002")], [theirs])
    (put,) = claims.values()
    assert (put.held, put.claims) == (1, ())


def test_a_leg_given_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="more than once"):
        claims_on_legs(ACCOUNT, [leg(PUT, -1), leg(PUT, -1)], [])


# --- the rule, over anything ------------------------------------------------------------------

CONTRACTS = [(parse_occ_symbol(s), side) for s in (PUT, CALL) for side in Side]


@st.composite
def books(draw: st.DrawFn) -> tuple[list[Trade], dict[ContractSide, int]]:
    held = {contract: draw(st.integers(0, 8)) for contract in CONTRACTS}
    trades = []
    for trade_id in range(1, draw(st.integers(1, 5)) + 1):
        named = draw(st.lists(st.sampled_from(CONTRACTS), min_size=1, max_size=3, unique=True))
        trades.append(
            Trade(
                id=trade_id,
                account_id=ACCOUNT,
                symbol="MSFT",
                legs=tuple(TradeLeg(occ, side, draw(st.integers(1, 3))) for occ, side in named),
                quantity=draw(st.integers(0, 4)),
                managed=draw(st.sampled_from([True, False, None])),
                status=draw(
                    st.sampled_from([TradeStatus.OPEN, TradeStatus.OPEN, TradeStatus.CLOSED])
                ),
            )
        )
    return trades, held


@given(books())
def test_no_managed_exit_ever_takes_what_others_claim_or_more_than_is_held(
    book: tuple[list[Trade], dict[ContractSide, int]],
) -> None:
    trades, held = book
    legs = [
        leg(occ.format(), count if side is Side.LONG else -count)
        for (occ, side), count in held.items()
        if count
    ]
    claims = claims_on_legs(ACCOUNT, legs, trades)
    open_trades = [t for t in trades if t.is_open]
    spreads = {t.id: exit_quantity(t, claims, mirror_fresh=True) for t in trades}
    for contract, count in held.items():
        claimants = [
            (t, sum(tl.ratio for tl in t.legs if (tl.occ, tl.side) == contract))
            for t in open_trades
        ]
        claimants = [(t, ratio) for t, ratio in claimants if ratio]
        exited = 0
        for t, ratio in claimants:
            if not t.is_managed:
                assert spreads[t.id] == 0
                continue
            others = sum(o.quantity * r for o, r in claimants if o is not t)
            assert spreads[t.id] * ratio <= max(0, count - others)
            exited += spreads[t.id] * ratio
        assert exited <= count

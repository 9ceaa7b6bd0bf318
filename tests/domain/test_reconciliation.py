"""Reconciliation: a trade's legs at the broker, safe exit sizes, phantoms and partial trades."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legsync.domain import (
    OccSymbol,
    OptionLeg,
    OptionType,
    Side,
    SyncCounts,
    SyncRun,
    Trade,
    TradeLeg,
    TradeStatus,
    claims_on_legs,
    parse_occ_symbol,
)
from legsync.domain.reconciliation import (
    MirrorState,
    TradeHealth,
    exit_quantity,
    judge_managed_trades,
    mirror_state,
    spread_positions_for_trade,
)
from legsync.testing import leg

ACCOUNT = "VA000001"
AT = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
SHORT_PUT = "SPY240119P00400000"
LONG_PUT = "SPY240119P00395000"


def expects(symbol: str, side: Side, ratio: int = 1) -> TradeLeg:
    return TradeLeg(parse_occ_symbol(symbol), side, ratio)


def bull_put(quantity: int = 2, **changes: object) -> Trade:
    """The engine's 400/395 bull put spread, opened by an order the broker has long forgotten."""
    trade = Trade(
        id=7,
        account_id=ACCOUNT,
        symbol="SPY",
        legs=(expects(SHORT_PUT, Side.SHORT), expects(LONG_PUT, Side.LONG)),
        quantity=quantity,
        broker_order_id="ORDER-THAT-WAS-REPLACED",
    )
    return replace(trade, **changes)  # type: ignore[arg-type]


# --- a trade's legs at the broker --------------------------------------------------------------


def test_a_trades_legs_are_found_by_account_contract_and_side() -> None:
    legs = [
        leg(SHORT_PUT, -2),
        leg(LONG_PUT, 2),
        leg(SHORT_PUT, 5),  # long the same contract: not the trade's short leg
        leg(LONG_PUT, 9, account_id="VA000002"),  # another account
        leg("SPY240119P00390000", 1),
    ]
    positions = spread_positions_for_trade(bull_put(), legs)
    assert [(h.occ.format(), h.side, h.held, h.needed) for h in positions.holdings] == [
        (SHORT_PUT, Side.SHORT, 2, 2),
        (LONG_PUT, Side.LONG, 2, 2),
    ]
    assert [h.leg for h in positions.holdings] == [legs[0], legs[1]]
    assert positions.missing == ()
    assert positions.health is TradeHealth.INTACT


def test_the_broker_order_id_plays_no_part() -> None:
    legs = [leg(SHORT_PUT, -2), leg(LONG_PUT, 2)]
    with_id = spread_positions_for_trade(bull_put(), legs)
    without = spread_positions_for_trade(bull_put(broker_order_id=None), legs)
    assert with_id.holdings == without.holdings


def test_a_strike_written_with_trailing_zeros_is_the_same_contract() -> None:
    occ = parse_occ_symbol(SHORT_PUT)
    written = OccSymbol(occ.root, occ.expiration, occ.option_type, Decimal("400.000"))
    trade = bull_put(legs=(TradeLeg(written, Side.SHORT), expects(LONG_PUT, Side.LONG)))
    assert spread_positions_for_trade(trade, [leg(SHORT_PUT, -2), leg(LONG_PUT, 2)]).missing == ()


def test_what_is_missing_and_what_is_short_is_said_leg_by_leg() -> None:
    positions = spread_positions_for_trade(bull_put(quantity=3), [leg(LONG_PUT, 1)])
    assert [h.occ.format() for h in positions.missing] == [SHORT_PUT]
    assert [h.occ.format() for h in positions.short] == [LONG_PUT]
    assert positions.health is TradeHealth.PARTIAL
    assert positions.reasons == (
        f"short {SHORT_PUT}: none held, 3 expected",
        f"long {LONG_PUT}: 1 held, 3 expected",
    )


def test_a_trade_with_none_of_its_legs_held_is_a_phantom() -> None:
    positions = spread_positions_for_trade(bull_put(), [leg("SPY240119P00390000", 1)])
    assert positions.health is TradeHealth.PHANTOM
    assert len(positions.missing) == 2


def test_a_leg_given_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="more than once"):
        spread_positions_for_trade(bull_put(), [leg(SHORT_PUT, -2), leg(SHORT_PUT, -2)])


# --- exit quantities ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trade", "legs", "fresh", "spreads"),
    [
        pytest.param(bull_put(2), [leg(SHORT_PUT, -2), leg(LONG_PUT, 2)], True, 2, id="all held"),
        pytest.param(
            bull_put(2), [leg(SHORT_PUT, -5), leg(LONG_PUT, 5)], True, 2, id="capped by trade"
        ),
        pytest.param(
            bull_put(3), [leg(SHORT_PUT, -3), leg(LONG_PUT, 1)], True, 1, id="short leg limits"
        ),
        pytest.param(bull_put(2), [leg(SHORT_PUT, -2)], True, 0, id="a leg missing"),
        pytest.param(
            bull_put(2, managed=False),
            [leg(SHORT_PUT, -2), leg(LONG_PUT, 2)],
            True,
            0,
            id="unmanaged",
        ),
        pytest.param(
            bull_put(2, managed=None),
            [leg(SHORT_PUT, -2), leg(LONG_PUT, 2)],
            True,
            2,
            id="legacy row counts as managed",
        ),
        pytest.param(
            bull_put(2, status=TradeStatus.CLOSED),
            [leg(SHORT_PUT, -2), leg(LONG_PUT, 2)],
            True,
            0,
            id="closed",
        ),
        pytest.param(
            bull_put(2), [leg(SHORT_PUT, -2), leg(LONG_PUT, 2)], False, 0, id="stale mirror"
        ),
        pytest.param(
            bull_put(2, legs=(expects(SHORT_PUT, Side.SHORT, 2), expects(LONG_PUT, Side.LONG))),
            [leg(SHORT_PUT, -3), leg(LONG_PUT, 2)],
            True,
            1,
            id="ratio 2: 3 contracts cover 1 spread",
        ),
        pytest.param(
            bull_put(2, legs=(expects(SHORT_PUT, Side.SHORT), expects(SHORT_PUT, Side.SHORT))),
            [leg(SHORT_PUT, -3)],
            True,
            1,
            id="a contract named twice needs both",
        ),
    ],
)
def test_exit_quantity(trade: Trade, legs: list[OptionLeg], fresh: bool, spreads: int) -> None:
    claims = claims_on_legs(ACCOUNT, legs, [trade])
    assert exit_quantity(trade, claims, mirror_fresh=fresh) == spreads


contracts = st.builds(
    OccSymbol,
    st.just("SPY"),
    st.sampled_from([date(2024, 1, 19), date(2024, 2, 16)]),
    st.sampled_from(OptionType),
    st.sampled_from([Decimal(k) for k in ("395", "400", "405")]),
)
trade_legs = st.builds(TradeLeg, contracts, st.sampled_from(Side), st.integers(1, 3))


@given(
    st.lists(trade_legs, min_size=1, max_size=4),
    st.integers(0, 10),
    st.sampled_from([True, False, None]),
    st.dictionaries(st.tuples(contracts, st.sampled_from(Side)), st.integers(0, 12), max_size=8),
    st.booleans(),
)
def test_an_exit_never_asks_for_more_contracts_than_the_broker_holds(
    legs: list[TradeLeg],
    quantity: int,
    managed: bool | None,
    holdings: dict[tuple[OccSymbol, Side], int],
    fresh: bool,
) -> None:
    trade = Trade(
        id=1, account_id=ACCOUNT, symbol="SPY", legs=tuple(legs), quantity=quantity, managed=managed
    )
    mirrored = [
        OptionLeg(ACCOUNT, occ, side, n, None, None, AT) for (occ, side), n in holdings.items()
    ]
    spreads = exit_quantity(trade, claims_on_legs(ACCOUNT, mirrored, [trade]), mirror_fresh=fresh)

    assert 0 <= spreads <= trade.quantity
    ratio: dict[tuple[OccSymbol, Side], int] = {}
    for expected in legs:
        held = (expected.occ, expected.side)
        ratio[held] = ratio.get(held, 0) + expected.ratio
    for contract, per_spread in ratio.items():
        assert spreads * per_spread <= holdings.get(contract, 0)
    if not fresh or managed is False:
        assert spreads == 0
    elif all(holdings.get(c, 0) >= quantity * r for c, r in ratio.items() if quantity):
        assert spreads == quantity


# --- phantoms and partial trades ---------------------------------------------------------------


def test_only_managed_open_trades_are_judged() -> None:
    intact = bull_put(id=1)
    partial = bull_put(id=2, quantity=5)
    phantom = bull_put(id=3, legs=(expects("SPY240216C00450000", Side.SHORT),))
    unmanaged = bull_put(id=4, quantity=9, managed=False)
    closed = bull_put(id=5, quantity=9, status=TradeStatus.CLOSED)
    judgement = judge_managed_trades(
        [intact, partial, phantom, unmanaged, closed], [leg(SHORT_PUT, -2), leg(LONG_PUT, 2)]
    )
    assert [p.trade.id for p in judgement.intact] == [1]
    assert [p.trade.id for p in judgement.partials] == [2]
    assert [p.trade.id for p in judgement.phantoms] == [3]


# --- whether the mirror may be trusted ---------------------------------------------------------


def run(success: bool = True, errors: int = 0, finished: datetime = AT) -> SyncRun:
    return SyncRun(
        account_id=ACCOUNT,
        started_at=finished - timedelta(seconds=2),
        finished_at=finished,
        success=success,
        counts=SyncCounts(errors=errors),
        pruned=success and not errors,
        error=None if success and not errors else "boom",
    )


@pytest.mark.parametrize(
    ("last_run", "state"),
    [
        pytest.param(None, MirrorState.NEVER_SYNCED, id="never synced"),
        pytest.param(run(success=False), MirrorState.LAST_SYNC_FAILED, id="failed read"),
        pytest.param(run(errors=1), MirrorState.LAST_SYNC_INCOMPLETE, id="rows unread, no prune"),
        pytest.param(run(), MirrorState.FRESH, id="clean"),
    ],
)
def test_the_mirror_is_fresh_only_after_a_clean_sync(
    last_run: SyncRun | None, state: MirrorState
) -> None:
    assert mirror_state(last_run) is state
    assert state.is_fresh is (state is MirrorState.FRESH)
    assert state.reason


def test_a_maximum_age_makes_an_old_clean_sync_stale() -> None:
    hour = timedelta(hours=1)
    assert mirror_state(run(), AT + hour, max_age=hour) is MirrorState.FRESH
    assert mirror_state(run(), AT + hour + timedelta(seconds=1), hour) is MirrorState.TOO_OLD
    with pytest.raises(ValueError, match="needs now"):
        mirror_state(run(), None, max_age=hour)

"""The trades table as the engine and other tools see it: what "open managed" means for rows
legsync did not write, the stored form of a trade's legs, and ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import text

from legsync.adapters.sql import SqlStore
from legsync.domain import Origin, Side, Trade, TradeLeg, parse_occ_symbol

ACCOUNT = "VA000001"
LEGS_JSON = '[{"occ_symbol":"SPY270319C00450000","side":"long","ratio":1}]'


def spread(**changes: object) -> Trade:
    values: dict[str, object] = {
        "id": None,
        "account_id": ACCOUNT,
        "symbol": "SPY",
        "legs": (
            TradeLeg(parse_occ_symbol("SPY270319P00400000"), Side.SHORT),
            TradeLeg(parse_occ_symbol("SPY270319P00395000"), Side.LONG, ratio=2),
        ),
        "quantity": 2,
        "opened_at": datetime(2027, 3, 1, 14, 30, tzinfo=UTC),
        "entry_price": Decimal("1.25"),
    }
    values.update(changes)
    return Trade(**values)  # type: ignore[arg-type]


def _insert_raw(store: SqlStore, managed: str, status: str = "open", origin: str = "") -> int:
    """A row written by another tool: plain SQL, ``managed`` as given (a literal or NULL)."""
    columns = "account_id, symbol, legs, quantity, status, managed"
    values = f"'{ACCOUNT}', 'SPY', :legs, 1, '{status}', {managed}"
    if origin:
        columns, values = f"{columns}, origin", f"{values}, '{origin}'"
    with store.engine.begin() as connection:
        connection.execute(
            text(f"INSERT INTO trades ({columns}) VALUES ({values})"), {"legs": LEGS_JSON}
        )
        return int(connection.execute(text("SELECT max(id) FROM trades")).scalar_one())


def test_open_managed_means_open_and_managed_one_or_null(store: SqlStore) -> None:
    managed = _insert_raw(store, "1")
    legacy = _insert_raw(store, "NULL")
    _insert_raw(store, "0", origin="IMPORTED")
    _insert_raw(store, "1", status="closed")
    _insert_raw(store, "NULL", status="closed")
    with store() as uow:
        engine_trades = uow.trades.open_managed()
        assert [trade.id for trade in engine_trades] == [managed, legacy]
        assert [trade.managed for trade in engine_trades] == [True, None]
        assert all(trade.is_managed for trade in engine_trades)
        assert len(uow.trades.list_trades()) == 3
        assert uow.trades.open_managed("6YA000002") == []


def test_a_trade_inserted_without_origin_or_managed_gets_the_defaults(store: SqlStore) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO trades (account_id, symbol, legs, quantity) "
                f"VALUES ('{ACCOUNT}', 'SPY', :legs, 1)"
            ),
            {"legs": LEGS_JSON},
        )
    with store() as uow:
        (trade,) = uow.trades.list_trades()
    assert (trade.origin, trade.managed, trade.status.value) == (Origin.ENGINE, True, "open")


def test_a_trades_legs_are_stored_as_json_of_symbol_side_and_ratio(store: SqlStore) -> None:
    with store() as uow:
        added = uow.trades.add(spread(origin=Origin.MANUAL, managed=False))
        uow.commit()
    with store.engine.connect() as connection:
        raw = connection.execute(
            text("SELECT legs, origin, managed FROM trades WHERE id = :id"), {"id": added.id}
        ).one()
    assert json.loads(raw[0]) == [
        {"occ_symbol": "SPY270319P00400000", "side": "short", "ratio": 1},
        {"occ_symbol": "SPY270319P00395000", "side": "long", "ratio": 2},
    ]
    assert tuple(raw[1:]) == ("MANUAL", 0)


def test_a_trade_with_its_own_id_keeps_it_and_later_ids_do_not_collide(store: SqlStore) -> None:
    with store() as uow:
        assert uow.trades.add(spread(id=40)).id == 40
        assert uow.trades.add(spread()).id == 41
        with pytest.raises(ValueError, match="id 40 exists already"):
            uow.trades.add(spread(id=40))
        uow.commit()


def test_closing_and_the_managed_switch_are_durable(store: SqlStore) -> None:
    with store() as uow:
        trade = uow.trades.add(spread())
        uow.commit()
    assert trade.id is not None
    with store() as uow:
        uow.trades.set_managed(trade.id, False)
        uow.trades.close(trade.id, datetime(2024, 1, 5, tzinfo=UTC), "expired worthless")
        uow.commit()
    with store() as uow:
        stored = uow.trades.get(trade.id)
        assert (stored.managed, stored.is_open) == (False, False)
        assert stored.legs == trade.legs
        assert stored.close_reason == "expired worthless"
        assert stored.entry_price == Decimal("1.25")

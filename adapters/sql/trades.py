"""``trades`` in the SQL store: the engine's trades, through Core statements on
:data:`~legsync.adapters.sql.tables.TRADES` and an explicit mapping to and from the domain."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, exists, func, insert, or_, select, update

from legsync.domain import (
    Origin,
    Side,
    Trade,
    TradeEnvelope,
    TradeLeg,
    TradeStatus,
    canonical_decimal,
    parse_occ_symbol,
)
from legsync.ports import TradeNotFound

from .engine import ConnectionSource
from .tables import TRADES

__all__ = [
    "SqlTradeRepository",
    "envelope_from_json",
    "envelope_to_json",
    "legs_from_json",
    "legs_to_json",
    "trade_from_row",
    "trade_values",
]

_TRADES = TRADES.c


class SqlTradeRepository:
    """``trades``; "open managed" is status open and managed 1 or NULL (legacy rows)."""

    def __init__(self, source: ConnectionSource, dialect_name: str) -> None:
        self._source = source
        self._postgres = dialect_name == "postgresql"

    def add(self, trade: Trade) -> Trade:
        connection = self._source.connection()
        if (
            trade.id is not None
            and connection.execute(select(exists().where(_TRADES.id == trade.id))).scalar_one()
        ):
            raise ValueError(f"a trade with id {trade.id} exists already")
        statement = insert(TRADES).values(trade_values(trade)).returning(_TRADES.id)
        trade_id = int(connection.execute(statement).scalar_one())
        if trade.id is not None and self._postgres:
            # An explicit id does not advance the id sequence; move it past the largest id so
            # the next trade without an id does not collide.
            connection.execute(
                select(
                    func.setval(
                        func.pg_get_serial_sequence("trades", "id"),
                        select(func.max(_TRADES.id)).scalar_subquery(),
                    )
                )
            )
        return replace(trade, id=trade_id)

    def get(self, trade_id: int) -> Trade:
        row = self._source.connection().execute(select(TRADES).where(_TRADES.id == trade_id))
        found = row.first()
        if found is None:
            raise TradeNotFound(trade_id)
        return trade_from_row(found)

    def list_trades(
        self, *, account_id: str | None = None, include_closed: bool = False
    ) -> list[Trade]:
        statement = select(TRADES).order_by(_TRADES.id)
        if account_id is not None:
            statement = statement.where(_TRADES.account_id == account_id)
        if not include_closed:
            statement = statement.where(_TRADES.status == TradeStatus.OPEN.value)
        return [trade_from_row(row) for row in self._source.connection().execute(statement)]

    def open_managed(self, account_id: str | None = None) -> list[Trade]:
        statement = (
            select(TRADES)
            .where(
                _TRADES.status == TradeStatus.OPEN.value,
                or_(_TRADES.managed == 1, _TRADES.managed.is_(None)),
            )
            .order_by(_TRADES.id)
        )
        if account_id is not None:
            statement = statement.where(_TRADES.account_id == account_id)
        return [trade_from_row(row) for row in self._source.connection().execute(statement)]

    def set_managed(self, trade_id: int, managed: bool) -> Trade:
        return self._update(trade_id, managed=int(managed))

    def close(self, trade_id: int, closed_at: datetime, reason: str) -> Trade:
        return self._update(
            trade_id, status=TradeStatus.CLOSED.value, closed_at=closed_at, close_reason=reason
        )

    def _update(self, trade_id: int, **values: Any) -> Trade:
        statement = update(TRADES).where(_TRADES.id == trade_id).values(**values)
        if self._source.connection().execute(statement).rowcount == 0:
            raise TradeNotFound(trade_id)
        return self.get(trade_id)


def legs_to_json(legs: tuple[TradeLeg, ...]) -> str:
    return json.dumps(
        [
            {"occ_symbol": leg.occ.format(), "side": leg.side.value, "ratio": leg.ratio}
            for leg in legs
        ],
        separators=(",", ":"),
    )


def legs_from_json(text_: str) -> tuple[TradeLeg, ...]:
    return tuple(
        TradeLeg(
            parse_occ_symbol(item["occ_symbol"]), Side(item["side"]), int(item.get("ratio", 1))
        )
        for item in json.loads(text_)
    )


def trade_values(trade: Trade) -> dict[str, Any]:
    """The column values of a trade's row, every column explicit (``managed`` is stored NULL
    when it is None, not left to the column's server default)."""
    values: dict[str, Any] = {
        "account_id": trade.account_id,
        "symbol": trade.symbol,
        "legs": legs_to_json(trade.legs),
        "quantity": trade.quantity,
        "status": trade.status.value,
        "origin": trade.origin.value,
        "managed": None if trade.managed is None else int(trade.managed),
        "opened_at": trade.opened_at,
        "closed_at": trade.closed_at,
        "close_reason": trade.close_reason,
        "entry_price": trade.entry_price,
        "broker_order_id": trade.broker_order_id,
        "envelope": None if trade.envelope is None else envelope_to_json(trade.envelope),
    }
    if trade.id is not None:
        values["id"] = trade.id
    return values


def trade_from_row(row: Row[Any]) -> Trade:
    return Trade(
        id=row.id,
        account_id=row.account_id,
        symbol=row.symbol,
        legs=legs_from_json(row.legs),
        quantity=row.quantity,
        status=TradeStatus(row.status),
        origin=Origin(row.origin),
        managed=None if row.managed is None else bool(row.managed),
        opened_at=row.opened_at,
        closed_at=row.closed_at,
        close_reason=row.close_reason,
        entry_price=row.entry_price,
        broker_order_id=row.broker_order_id,
        envelope=None if row.envelope is None else envelope_from_json(row.envelope),
    )


_AMOUNTS = ("entry_price", "net_premium", "width", "max_profit", "max_loss")


def envelope_to_json(envelope: TradeEnvelope) -> str:
    """Amounts as canonical decimal strings (never floats), ``null`` where there is none."""
    data: dict[str, object] = {"kind": envelope.kind}
    for name in _AMOUNTS:
        value = getattr(envelope, name)
        data[name] = None if value is None else canonical_decimal(value)
    data["breakevens"] = [canonical_decimal(price) for price in envelope.breakevens]
    data["unknown"] = list(envelope.unknown)
    return json.dumps(data, separators=(",", ":"))


def envelope_from_json(text_: str) -> TradeEnvelope:
    data = json.loads(text_)
    amounts = {name: None if data.get(name) is None else Decimal(data[name]) for name in _AMOUNTS}
    return TradeEnvelope(
        kind=data["kind"],
        breakevens=tuple(Decimal(price) for price in data.get("breakevens", ())),
        unknown=tuple(data.get("unknown", ())),
        **amounts,
    )

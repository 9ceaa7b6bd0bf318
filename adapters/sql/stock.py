"""``portfolio_stock`` in the SQL store: Core statements on the unit of work's connection.

An account holds a handful of stock positions, not thousands, so plain statements do: one
upsert that writes only the rows whose values differ, one DELETE, one SELECT.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, delete, or_, select
from sqlalchemy.sql.dml import Insert

from legsync.domain import StockPosition

from .engine import ConnectionSource
from .tables import STOCK

__all__ = ["SqlStockTable", "stock_values"]

_S = STOCK.c
_KEY_COLUMNS = ("account_id", "symbol")
_DATA_COLUMNS = tuple(c.name for c in STOCK.columns if c.name not in _KEY_COLUMNS)


def stock_values(position: StockPosition) -> dict[str, Any]:
    """The column values of a stock position's row."""
    return {
        "account_id": position.account_id,
        "symbol": position.symbol,
        "quantity": position.quantity,
        "cost_basis_per_share": position.cost_basis_per_share,
        "last_price": position.last_price,
        "updated_at": position.updated_at,
        "marked_at": position.marked_at,
    }


class SqlStockTable:
    """The stock half of :class:`~legsync.adapters.sql.positions.SqlPositionRepository`."""

    def __init__(self, source: ConnectionSource, dialect_name: str) -> None:
        self._source = source
        self._postgres = dialect_name == "postgresql"

    def stock(self, account_id: str | None = None) -> list[StockPosition]:
        statement: Select[Any] = select(
            _S.account_id,
            _S.symbol,
            _S.quantity,
            _S.cost_basis_per_share,
            _S.last_price,
            _S.updated_at,
            _S.marked_at,
        )
        if account_id is not None:
            statement = statement.where(_S.account_id == account_id)
        statement = statement.order_by(self._text_order(_S.account_id), self._text_order(_S.symbol))
        return [_position(row) for row in self._source.connection().execute(statement)]

    def upsert_stock(self, positions: Iterable[StockPosition]) -> int:
        """``ON CONFLICT DO UPDATE ... WHERE the row differs``: the count is the rows really
        written, so a resync of unchanged shares writes nothing."""
        rows = [stock_values(position) for position in positions]
        if not rows:
            return 0
        result = self._source.connection().execute(
            self._upsert(), rows, execution_options={"preserve_rowcount": True}
        )
        return result.rowcount

    def _upsert(self) -> Insert:
        if self._postgres:
            from sqlalchemy.dialects import postgresql as dialect
        else:
            from sqlalchemy.dialects import sqlite as dialect  # type: ignore[no-redef]
        statement = dialect.insert(STOCK)
        new = statement.excluded
        return statement.on_conflict_do_update(
            index_elements=list(_KEY_COLUMNS),
            set_={name: new[name] for name in _DATA_COLUMNS},
            where=or_(*(_S[name].is_distinct_from(new[name]) for name in _DATA_COLUMNS)),
        )

    def delete_stock(self, account_id: str, symbols: Collection[str]) -> int:
        wanted = sorted(set(symbols))
        if not wanted:
            return 0
        statement = delete(STOCK).where(_S.account_id == account_id, _S.symbol.in_(wanted))
        return self._source.connection().execute(statement).rowcount

    def _text_order(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        # PostgreSQL sorts text by the database's locale unless told otherwise.
        return column.collate("C") if self._postgres else column


def _position(row: Row[Any]) -> StockPosition:
    account_id, symbol, quantity, cost, last, updated, marked = tuple(row)
    return StockPosition(account_id, symbol, quantity, cost, last, updated, marked)

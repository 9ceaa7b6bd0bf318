"""``portfolio_positions`` in the SQL store: Core statements on the unit of work's connection.

One sync reads every leg of an account and writes the changed ones: one executemany upsert,
one DELETE, and one SELECT, whatever the number of legs. Values go through the column types
of :mod:`legsync.adapters.sql.types`, the one place that knows how each database holds them.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection, Iterable
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Row,
    Select,
    Text,
    bindparam,
    cast,
    delete,
    func,
    or_,
    type_coerce,
)
from sqlalchemy import select as select_
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import NullType

from legsync.domain import LegKey, OptionLeg, Side, StockPosition, StoredLegs, parse_occ_symbol

from .engine import ConnectionSource
from .stock import SqlStockTable
from .tables import POSITIONS
from .types import to_decimal, to_utc

__all__ = ["SqlPositionRepository", "position_values"]

_C = POSITIONS.c
(_LEG_INDEX,) = (index for index in POSITIONS.indexes if index.name == "uq_portfolio_positions_leg")
_KEY_COLUMNS = tuple(column.name for column in _LEG_INDEX.columns)
"""The leg's key: the columns of the unique index the upsert conflicts on."""
_DATA_COLUMNS = tuple(c.name for c in POSITIONS.columns if c.name not in _KEY_COLUMNS)
"""What an upsert of an existing leg may change."""
_UPSERT_CHUNK = 5000
"""Legs per executemany: bounds the rows held at once, not the round trips (one per chunk)."""
_READ_CHUNK = 5000
"""Rows per fetch when a sync reads an account."""


def position_values(leg: OptionLeg) -> dict[str, Any]:
    """The column values of a leg's row."""
    root, expiration, option_type, strike = leg.occ
    return {
        "id": leg.key.as_id(),
        "account_id": leg.account_id,
        "symbol": leg.symbol,
        "root": root,
        "occ_symbol": leg.occ_symbol,
        "expiration": expiration,
        "option_type": option_type.value,
        "strike": strike,
        "side": leg.side.value,
        "quantity": leg.quantity,
        "cost_basis_per_contract": leg.cost_basis_per_contract,
        "last_price": leg.last_price,
        "updated_at": leg.updated_at,
        "marked_at": leg.marked_at,
    }


class SqlPositionRepository:
    """The ``portfolio_positions`` :class:`~legsync.ports.PositionRepositoryPort`."""

    def __init__(self, source: ConnectionSource, dialect_name: str) -> None:
        self._source = source
        self._postgres = dialect_name == "postgresql"
        self._stock = SqlStockTable(source, dialect_name)

    # --- stock: portfolio_stock, in the same unit of work as the legs ------------------------

    def stock(self, account_id: str | None = None) -> list[StockPosition]:
        return self._stock.stock(account_id)

    def upsert_stock(self, positions: Iterable[StockPosition]) -> int:
        return self._stock.upsert_stock(positions)

    def delete_stock(self, account_id: str, symbols: Collection[str]) -> int:
        return self._stock.delete_stock(account_id, symbols)

    # --- writes ----------------------------------------------------------------------------

    def upsert(self, legs: Iterable[OptionLeg]) -> int:
        """Write the legs in one executemany; returns the rows actually inserted or changed.

        ``ON CONFLICT (leg key) DO UPDATE ... WHERE the row differs``: an upsert of a row that
        is already stored writes nothing, so the count is the rows really written.
        """
        connection, statement, written = self._source.connection(), self._upsert(), 0
        legs = iter(legs)
        while rows := [position_values(leg) for leg in islice(legs, _UPSERT_CHUNK)]:
            result = connection.execute(
                statement, rows, execution_options={"preserve_rowcount": True}
            )
            written += result.rowcount
        return written

    def _upsert(self) -> Insert:
        if self._postgres:  # the dialect's own module only when it is the store's
            from sqlalchemy.dialects import postgresql as dialect
        else:
            from sqlalchemy.dialects import sqlite as dialect  # type: ignore[no-redef]
        statement = dialect.insert(POSITIONS)
        new = statement.excluded
        return statement.on_conflict_do_update(
            index_elements=list(_KEY_COLUMNS),
            set_={name: new[name] for name in _DATA_COLUMNS},
            where=or_(*(_C[name].is_distinct_from(new[name]) for name in _DATA_COLUMNS)),
        )

    def delete(self, keys: Collection[LegKey]) -> int:
        ids = list(dict.fromkeys(key.as_id() for key in keys))
        if not ids:
            return 0
        statement = delete(POSITIONS).where(self._id_in(ids))
        return self._source.connection().execute(statement).rowcount

    def delete_missing(self, account_id: str, keep: Collection[LegKey]) -> int:
        """One DELETE of the account's legs outside ``keep``, however many legs there are."""
        ids = list(dict.fromkeys(key.as_id() for key in keep if key.account_id == account_id))
        condition = _C.account_id == account_id
        if ids:
            condition = condition & ~self._id_in(ids)
        return self._source.connection().execute(delete(POSITIONS).where(condition)).rowcount

    def clear(self, account_id: str) -> int:
        return self.delete_missing(account_id, ())

    def _id_in(self, ids: list[str]) -> ColumnElement[bool]:
        """``= ANY(array)`` on PostgreSQL, ``IN (json_each)`` on SQLite: one bound value for
        any number of ids, so no statement ever hits a bind-parameter limit."""
        if self._postgres:
            from sqlalchemy import any_
            from sqlalchemy.dialects.postgresql import ARRAY

            return _C.id == any_(bindparam("ids", ids, type_=ARRAY(Text)))
        values = func.json_each(bindparam("ids", json.dumps(ids), type_=Text)).table_valued("value")
        return _C.id.in_(select_(values))

    # --- reads -----------------------------------------------------------------------------

    def all_legs(self, account_id: str | None = None) -> list[OptionLeg]:
        statement = _select_legs()
        if account_id is not None:
            statement = statement.where(_C.account_id == account_id)
        return self._legs(statement.order_by(*self._key_order()))

    def legs_by_key(self, account_id: str) -> dict[LegKey, OptionLeg]:
        return {
            leg.key: leg for leg in self._legs(_select_legs().where(_C.account_id == account_id))
        }

    def stored_legs(self, account_id: str) -> StoredLegs:
        """The account's legs as the sync compares them: a record per contract and side.

        Every sync reads every leg of its account through here, so the values are converted
        from what the driver returns in one loop (by the column types' own functions, and each
        distinct timestamp once: a sync stamps all the legs it writes with one moment).
        """
        statement = select_(
            *(
                type_coerce(column, NullType())  # raw driver values: converted below
                for column in (
                    _C.occ_symbol,
                    _C.side,
                    _C.quantity,
                    _C.cost_basis_per_contract,
                    _C.last_price,
                    _C.updated_at,
                    _C.marked_at,
                )
            )
        ).where(_C.account_id == account_id)
        stored = StoredLegs(account_id)
        moments: dict[object, datetime] = {}
        result = self._source.connection().execute(statement)
        rows: Iterable[tuple[Any, ...]] = itertools.chain.from_iterable(
            result.partitions(_READ_CHUNK)  # fetchmany: freed by chunk
        )
        for symbol, side, quantity, cost, last, updated, marked in rows:
            if type(quantity) is not int:  # SQLite's INTEGER holds whatever another tool wrote
                raise ValueError(f"stored leg {symbol!r} holds a quantity of {quantity!r}")
            stored.side(_side(symbol, side))[parse_occ_symbol(symbol)] = (
                quantity,
                to_decimal(cost),
                to_decimal(last),
                _moment(moments, symbol, updated),
                None if marked is None else _moment(moments, symbol, marked),
            )
        return stored

    def legs_for_symbol(
        self, account_id: str, symbol: str, expiration: date | None = None
    ) -> list[OptionLeg]:
        statement = _select_legs().where(_C.account_id == account_id, _C.symbol == symbol)
        if expiration is not None:
            statement = statement.where(_C.expiration == expiration)
        return self._legs(statement.order_by(*self._key_order()))

    def accounts(self) -> list[str]:
        statement = select_(_C.account_id).group_by(_C.account_id)
        return list(
            self._source.connection()
            .execute(statement.order_by(self._text_order(_C.account_id)))
            .scalars()
        )

    def _legs(self, statement: Select[Any]) -> list[OptionLeg]:
        return [_leg(row) for row in self._source.connection().execute(statement)]

    def _key_order(self) -> list[ColumnElement[Any]]:
        """Key order as the in-memory store sorts: text by code point, strikes by value."""
        strike = _C.strike if self._postgres else cast(cast(_C.strike, Text), Float)
        return [
            self._text_order(_C.account_id),
            self._text_order(_C.root),
            _C.expiration,
            _C.option_type,
            strike,
            _C.side,
        ]

    def _text_order(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        # PostgreSQL sorts text by the database's locale unless told otherwise.
        return column.collate("C") if self._postgres else column


def _select_legs() -> Select[Any]:
    return select_(
        _C.account_id,
        _C.occ_symbol,
        _C.side,
        _C.quantity,
        _C.cost_basis_per_contract,
        _C.last_price,
        _C.updated_at,
        _C.marked_at,
    )


def _leg(row: Row[Any]) -> OptionLeg:
    account_id, symbol, side, quantity, cost, last, updated, marked = tuple(row)
    occ = parse_occ_symbol(symbol)
    return OptionLeg(account_id, occ, _side(symbol, side), quantity, cost, last, updated, marked)


_SIDES = {side.value: side for side in Side}


def _moment(moments: dict[object, datetime], symbol: str, value: object) -> datetime:
    """The stored timestamp ``value`` as an aware UTC datetime, converted once per distinct
    value: a sync stamps every leg it writes, and every mark it takes, with one moment."""
    moment = moments.get(value)
    if moment is None:
        moment = moments[value] = _stored_moment(symbol, value)
    return moment


def _stored_moment(symbol: str, value: object) -> datetime:
    moment = to_utc(value)
    if moment is None:
        raise ValueError(f"stored leg {symbol!r} has no updated_at")
    return moment


def _side(symbol: str, text: str) -> Side:
    try:
        return _SIDES[text]
    except KeyError:
        raise ValueError(f"stored leg {symbol!r} has an unknown side {text!r}") from None

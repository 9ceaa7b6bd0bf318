"""The repositories of the SQL store, working inside the unit of work's session.

Positions are the hot path (one sync reads every leg of an account and writes the changed
ones), so they use Core statements on the session's connection: one executemany upsert, one
DELETE, and a read that builds domain objects straight from raw column values. Trades and
sync runs are a few rows at a time and go through the typed ORM rows.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Collection, Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Insert,
    Table,
    Text,
    all_,
    any_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from legsync.domain import (
    LegKey,
    OccSymbol,
    OptionLeg,
    OptionType,
    Side,
    SyncRun,
    Trade,
    TradeStatus,
)
from legsync.ports import TradeNotFound

from .rows import (
    PositionRow,
    SyncRunRow,
    TradeRow,
    position_values,
    run_from_row,
    run_to_row,
    trade_from_row,
    trade_values,
)
from .types import to_date, to_decimal, to_utc

__all__ = [
    "SqlPositionRepository",
    "SqlSyncRunRepository",
    "SqlTradeRepository",
    "upsert_statement",
]

_POSITIONS = typing.cast(Table, PositionRow.__table__)
_KEY_COLUMNS = ("account_id", "root", "expiration", "option_type", "strike", "side")
_DATA_COLUMNS = (
    "id",
    "symbol",
    "occ_symbol",
    "quantity",
    "cost_basis_per_contract",
    "last_price",
    "updated_at",
)
_LEG_COLUMNS = (
    "account_id",
    "root",
    "expiration",
    "option_type",
    "strike",
    "side",
    "quantity",
    "cost_basis_per_contract",
    "last_price",
    "updated_at",
)
_UPSERT_CHUNK = 5000
"""Legs per executemany: bounds the driver's buffers, not the number of round trips per row."""

_OPTION_TYPES = {member.value: member for member in OptionType}
_SIDES = {member.value: member for member in Side}


def upsert_statement(dialect_name: str) -> Insert:
    """``INSERT ... ON CONFLICT (leg key) DO UPDATE ... WHERE the row differs``.

    The WHERE clause makes an upsert of an identical row write nothing, so a repeated
    snapshot touches no page and the returned row count is the rows really written.
    """
    dialect_insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    statement = dialect_insert(_POSITIONS)
    excluded = statement.excluded
    upsert = statement.on_conflict_do_update(
        index_elements=[_POSITIONS.c[name] for name in _KEY_COLUMNS],
        set_={name: excluded[name] for name in _DATA_COLUMNS},
        where=or_(*(_POSITIONS.c[name].is_distinct_from(excluded[name]) for name in _DATA_COLUMNS)),
    )
    # An INSERT's row count is only kept when asked for; it is what upsert() returns.
    return upsert.execution_options(preserve_rowcount=True)


class SqlPositionRepository:
    """``portfolio_positions`` over one session (:class:`~legsync.ports.PositionRepositoryPort`)."""

    def __init__(self, session: Session, dialect_name: str, upsert: Insert) -> None:
        self._session = session
        self._postgres = dialect_name == "postgresql"
        self._upsert = upsert

    # --- writes ----------------------------------------------------------------------------

    def upsert(self, legs: Iterable[OptionLeg]) -> int:
        """Write the legs in bulk; returns the rows actually inserted or changed."""
        connection = self._session.connection()
        written = 0
        for chunk in _chunks((position_values(leg) for leg in legs), _UPSERT_CHUNK):
            written += connection.execute(self._upsert, chunk).rowcount
        return written

    def delete(self, keys: Collection[LegKey]) -> int:
        ids = list(dict.fromkeys(key.as_id() for key in keys))
        if not ids:
            return 0
        statement = delete(_POSITIONS).where(self._id_in(ids))
        return self._session.connection().execute(statement).rowcount

    def delete_missing(self, account_id: str, keep: Collection[LegKey]) -> int:
        """One DELETE of the account's legs outside ``keep``, however many legs there are."""
        ids = list(dict.fromkeys(key.as_id() for key in keep if key.account_id == account_id))
        condition = _POSITIONS.c.account_id == account_id
        if ids:
            condition = condition & self._not_any_id(ids)
        return self._session.connection().execute(delete(_POSITIONS).where(condition)).rowcount

    def clear(self, account_id: str) -> int:
        return self.delete_missing(account_id, ())

    def _id_in(self, ids: list[str]) -> ColumnElement[bool]:
        """``= ANY(array)`` on PostgreSQL, ``IN (json_each)`` on SQLite: one bound value for
        any number of ids, so no statement ever hits a bind-parameter limit."""
        if self._postgres:
            return _POSITIONS.c.id == any_(bindparam("ids", ids, type_=postgresql.ARRAY(Text)))
        return _POSITIONS.c.id.in_(select(_json_values(ids)))

    def _not_any_id(self, ids: list[str]) -> ColumnElement[bool]:
        if self._postgres:
            return _POSITIONS.c.id != all_(bindparam("ids", ids, type_=postgresql.ARRAY(Text)))
        return _POSITIONS.c.id.not_in(select(_json_values(ids)))

    # --- reads -----------------------------------------------------------------------------

    def all_legs(self, account_id: str | None = None) -> list[OptionLeg]:
        statement = self._select_legs()
        if account_id is not None:
            statement = statement.where(_POSITIONS.c.account_id == account_id)
        return list(self._read(statement.order_by(*self._key_order())))

    def legs_by_key(self, account_id: str) -> dict[LegKey, OptionLeg]:
        statement = self._select_legs().where(_POSITIONS.c.account_id == account_id)
        return {leg.key: leg for leg in self._read(statement)}

    def legs_for_symbol(
        self, account_id: str, symbol: str, expiration: date | None = None
    ) -> list[OptionLeg]:
        statement = self._select_legs().where(
            _POSITIONS.c.account_id == account_id, _POSITIONS.c.symbol == symbol
        )
        if expiration is not None:
            statement = statement.where(_POSITIONS.c.expiration == expiration)
        return list(self._read(statement.order_by(*self._key_order())))

    def accounts(self) -> list[str]:
        column = _POSITIONS.c.account_id
        statement = select(column).group_by(column).order_by(self._text_order(column))
        return list(self._session.connection().execute(statement).scalars())

    def _select_legs(self) -> Any:
        # Raw driver values (no per-value type processing): _read converts them with caches.
        return select(*(type_coerce(_POSITIONS.c[name], NullType()) for name in _LEG_COLUMNS))

    def _key_order(self) -> list[ColumnElement[Any]]:
        """Key order as the in-memory store sorts: text by code point, strikes by value."""
        c = _POSITIONS.c
        strike: ColumnElement[Any] = (
            c.strike if self._postgres else cast(type_coerce(c.strike, Text()), Float)
        )
        return [
            self._text_order(c.account_id),
            self._text_order(c.root),
            c.expiration,
            c.option_type,
            strike,
            c.side,
        ]

    def _text_order(self, column: ColumnElement[Any]) -> ColumnElement[Any]:
        # PostgreSQL sorts text by the database's locale unless told otherwise.
        return column.collate("C") if self._postgres else column

    def _read(self, statement: Any) -> Iterator[OptionLeg]:
        """Domain legs from raw rows, converting each distinct raw value once.

        A sync reads every leg of the account; expirations, strikes and update times repeat
        across legs, so caching their conversions makes reading 100,000 legs cheap.
        """
        decimals: dict[object, Decimal | None] = {None: None}
        dates: dict[object, date] = {}
        stamps: dict[object, datetime] = {}
        occs: dict[tuple[object, ...], OccSymbol] = {}
        result = self._session.connection().execute(statement)
        for row in result:
            account_id, root, expiration, option_type, strike, side = row[:6]
            quantity, cost, last, updated = row[6:]
            occ_key = (root, expiration, option_type, strike)
            occ = occs.get(occ_key)
            if occ is None:
                day = dates.get(expiration)
                if day is None:
                    day = dates[expiration] = to_date(expiration)  # type: ignore[assignment]
                occ = occs[occ_key] = tuple.__new__(
                    OccSymbol,
                    (root, day, _OPTION_TYPES[option_type], _decimal(decimals, strike)),
                )
            moment = stamps.get(updated)
            if moment is None:
                moment = stamps[updated] = to_utc(updated)  # type: ignore[assignment]
            yield OptionLeg(
                account_id=account_id,
                occ=occ,
                side=_SIDES[side],
                quantity=quantity,
                cost_basis_per_contract=_decimal(decimals, cost),
                last_price=_decimal(decimals, last),
                updated_at=moment,  # type: ignore[arg-type]
            )


def _decimal(cache: dict[object, Decimal | None], raw: object) -> Decimal | None:
    try:
        return cache[raw]
    except KeyError:
        value = cache[raw] = to_decimal(raw)
        return value


def _json_values(ids: list[str]) -> Any:
    return func.json_each(bindparam("ids", json.dumps(ids), type_=Text)).table_valued("value")


def _chunks(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class SqlSyncRunRepository:
    """``sync_runs``; "last" means most recently recorded, as in the in-memory store."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def record(self, run: SyncRun) -> SyncRun:
        row = run_to_row(run)
        self._session.add(row)
        self._session.flush()
        return replace(run, id=row.id)

    def last_run(self, account_id: str) -> SyncRun | None:
        return self._last(SyncRunRow.account_id == account_id)

    def last_successful_run(self, account_id: str) -> SyncRun | None:
        return self._last(SyncRunRow.account_id == account_id, SyncRunRow.success.is_(True))

    def _last(self, *conditions: ColumnElement[bool]) -> SyncRun | None:
        statement = select(SyncRunRow).where(*conditions).order_by(SyncRunRow.id.desc()).limit(1)
        row = self._session.scalars(statement).first()
        return None if row is None else run_from_row(row)

    def latest_runs(self) -> list[SyncRun]:
        newest = select(func.max(SyncRunRow.id)).group_by(SyncRunRow.account_id)
        statement = select(SyncRunRow).where(SyncRunRow.id.in_(newest))
        runs = [run_from_row(row) for row in self._session.scalars(statement)]
        return sorted(runs, key=lambda run: run.account_id)


class SqlTradeRepository:
    """``trades``; "open managed" is status open and managed 1 or NULL (legacy rows)."""

    def __init__(self, session: Session, dialect_name: str) -> None:
        self._session = session
        self._postgres = dialect_name == "postgresql"

    def add(self, trade: Trade) -> Trade:
        if trade.id is not None and self._session.get(TradeRow, trade.id) is not None:
            raise ValueError(f"a trade with id {trade.id} exists already")
        statement = insert(TradeRow).values(trade_values(trade)).returning(TradeRow.id)
        trade_id = self._session.execute(statement).scalar_one()
        if trade.id is not None and self._postgres:
            # An explicit id does not advance the id sequence; move it past the largest id so
            # the next trade without an id does not collide.
            self._session.execute(
                select(
                    func.setval(
                        func.pg_get_serial_sequence("trades", "id"),
                        select(func.max(TradeRow.id)).scalar_subquery(),
                    )
                )
            )
        return replace(trade, id=trade_id)

    def get(self, trade_id: int) -> Trade:
        return trade_from_row(self._row(trade_id))

    def _row(self, trade_id: int) -> TradeRow:
        row = self._session.get(TradeRow, trade_id)
        if row is None:
            raise TradeNotFound(trade_id)
        return row

    def list_trades(
        self, *, account_id: str | None = None, include_closed: bool = False
    ) -> list[Trade]:
        statement = select(TradeRow).order_by(TradeRow.id)
        if account_id is not None:
            statement = statement.where(TradeRow.account_id == account_id)
        if not include_closed:
            statement = statement.where(TradeRow.status == TradeStatus.OPEN.value)
        return [trade_from_row(row) for row in self._session.scalars(statement)]

    def open_managed(self, account_id: str | None = None) -> list[Trade]:
        statement = (
            select(TradeRow)
            .where(
                TradeRow.status == TradeStatus.OPEN.value,
                or_(TradeRow.managed == 1, TradeRow.managed.is_(None)),
            )
            .order_by(TradeRow.id)
        )
        if account_id is not None:
            statement = statement.where(TradeRow.account_id == account_id)
        return [trade_from_row(row) for row in self._session.scalars(statement)]

    def set_managed(self, trade_id: int, managed: bool) -> Trade:
        row = self._row(trade_id)
        row.managed = int(managed)
        self._session.flush()
        return trade_from_row(row)

    def close(self, trade_id: int) -> Trade:
        """Mark a trade closed (as :class:`InMemoryTradeRepository.close` does)."""
        row = self._row(trade_id)
        row.status = TradeStatus.CLOSED.value
        self._session.flush()
        return trade_from_row(row)

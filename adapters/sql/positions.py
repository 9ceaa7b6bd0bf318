"""``portfolio_positions`` in the SQL store: the sync's hot path.

One sync reads every leg of an account and writes the changed ones, so this repository uses
Core statements and driver SQL on the unit of work's connection: one executemany upsert, one
DELETE, and a read that builds domain values straight from raw column values.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Text,
    all_,
    any_,
    bindparam,
    cast,
    delete,
    func,
    select,
    type_coerce,
)
from sqlalchemy.types import NullType

from legsync.domain import (
    LegKey,
    LegRecord,
    OccSymbol,
    OptionLeg,
    OptionType,
    Side,
    StoredLegs,
    canonical_decimal,
    underlying_for_root,
)

from .engine import ConnectionSource
from .tables import POSITIONS
from .types import timestamp_text, to_date, to_decimal, to_utc

__all__ = ["SqlPositionRepository", "position_values", "upsert_statement"]

_POSITIONS = POSITIONS
_ROW_COLUMNS = tuple(column.name for column in _POSITIONS.columns)
"""Every column of a leg's row, in the table's order: the order of :func:`_driver_rows`'
tuples (``tests/adapters/sql/test_driver_rows.py`` holds the two together)."""
(_LEG_INDEX,) = (i for i in _POSITIONS.indexes if i.name == "uq_portfolio_positions_leg")
_KEY_COLUMNS = tuple(column.name for column in _LEG_INDEX.columns)
"""The leg's key: the columns of the unique index the upsert conflicts on."""
_DATA_COLUMNS = tuple(name for name in _ROW_COLUMNS if name not in _KEY_COLUMNS)
"""What an upsert of an existing leg may change."""
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
_READ_CHUNK = 5000
"""Rows per fetch when reading legs."""
_UPSERT_CHUNK = 5000
"""Legs per executemany: bounds the driver's buffers, not the number of round trips per row."""

_OPTION_TYPES = {member.value: member for member in OptionType}
_SIDES = {member.value: member for member in Side}


def upsert_statement(dialect_name: str) -> str:
    """``INSERT ... ON CONFLICT (leg key) DO UPDATE ... WHERE the row differs``, as the SQL
    text of the dialect's driver, for values in :data:`_ROW_COLUMNS` order.

    The WHERE clause makes an upsert of an identical row write nothing, so a repeated
    snapshot touches no page and the returned row count is the rows really written. Driver
    SQL rather than a Core statement because the sync writes every opened or changed leg
    through it: :func:`_driver_rows` converts the values once, with caches, where Core would
    run each column's bind processor on every value (two thirds of the upsert's time).
    """
    postgres = dialect_name == "postgresql"
    mark, differs = ("%s", "IS DISTINCT FROM") if postgres else ("?", "IS NOT")
    table = _POSITIONS.name
    return (
        f"INSERT INTO {table} ({', '.join(_ROW_COLUMNS)}) "
        f"VALUES ({', '.join([mark] * len(_ROW_COLUMNS))}) "
        f"ON CONFLICT ({', '.join(_KEY_COLUMNS)}) DO UPDATE SET "
        + ", ".join(f"{name} = excluded.{name}" for name in _DATA_COLUMNS)
        + " WHERE "
        + " OR ".join(f"{table}.{name} {differs} excluded.{name}" for name in _DATA_COLUMNS)
    )


def _driver_rows(legs: Iterable[OptionLeg], postgres: bool) -> Iterator[tuple[Any, ...]]:
    """Each leg's row as the driver takes it: what ``ExactDecimal``, ``IsoDate`` and
    ``UtcTimestamp`` would bind (canonical text on SQLite; Decimal, date and aware UTC datetime
    on PostgreSQL), refusing the same values, with every repeated value converted once.

    Equal to :func:`position_values` run through the column types; a test holds the two to the
    same rows.
    """
    texts, occ_parts, enum_text = _TEXTS, _OCC_PARTS, _ENUM_TEXT
    decimal_type, canonical = Decimal, canonical_decimal
    moments: dict[datetime, Any] = {}
    for leg in legs:
        occ = leg.occ
        account_id, side = leg.account_id, leg.side
        root, expiration, option_type, strike = occ
        expiration_text = texts.get(expiration)
        if expiration_text is None:
            if isinstance(expiration, datetime) or not isinstance(expiration, date):
                raise ValueError(f"expected a date, got {expiration!r}")
            expiration_text = _remember(texts, expiration, expiration.isoformat())
        strike_text = texts.get(strike)
        if strike_text is None:
            strike_text = _remember(texts, strike, canonical_decimal(_finite(strike)))
        middle, strike_units = occ_parts.get((expiration, option_type)), occ_parts.get(strike)
        if middle is None or strike_units is None:
            middle, strike_units = _occ_parts(occ)
        type_text, side_text = enum_text[option_type], enum_text[side]
        cost, last, updated = leg.cost_basis_per_contract, leg.last_price, leg.updated_at
        # Inline checks: a sync writes every opened leg through here.
        if cost is not None and (cost.__class__ is not decimal_type or not cost.is_finite()):
            _finite(cost)  # raises unless a finite Decimal of a subclass
        if last is not None and (last.__class__ is not decimal_type or not last.is_finite()):
            _finite(last)
        moment = moments.get(updated)
        if moment is None:
            if not isinstance(updated, datetime) or updated.utcoffset() is None:
                raise ValueError(f"expected an aware datetime, got {updated!r}")
            moment = moments[updated] = (
                updated.astimezone(UTC) if postgres else timestamp_text(updated)
            )
        yield (
            "|".join((account_id, root, expiration_text, type_text, strike_text, side_text)),
            account_id,
            underlying_for_root(root),
            root,
            root + middle + strike_units,
            expiration if postgres else expiration_text,
            type_text,
            strike if postgres else strike_text,
            side_text,
            leg.quantity,
            cost if cost is None or postgres else canonical(cost),
            last if last is None or postgres else canonical(last),
            moment,
        )


def position_values(leg: OptionLeg) -> dict[str, Any]:
    """The column values of a leg's row, plainly: the specification :func:`_driver_rows` is
    held to (run through the column types, the two must bind the same rows)."""
    root, expiration, option_type, strike = leg.occ
    return {
        "id": leg.key.as_id(),
        "account_id": leg.account_id,
        "symbol": leg.symbol,
        "root": root,
        "occ_symbol": leg.occ.format(),
        "expiration": expiration,
        "option_type": option_type.value,
        "strike": strike,
        "side": leg.side.value,
        "quantity": leg.quantity,
        "cost_basis_per_contract": leg.cost_basis_per_contract,
        "last_price": leg.last_price,
        "updated_at": leg.updated_at,
    }


_ENUM_TEXT: dict[Any, str] = {member: member.value for member in (*OptionType, *Side)}
"""Plain ``str`` values: a driver may adapt an ``Enum`` by its name."""

_TEXTS: dict[Any, str] = {}
"""Process-wide: a date's ISO text, a strike's canonical text."""
_OCC_PARTS: dict[Any, str] = {}
"""Process-wide: an (expiration, option type)'s ``YYMMDDC`` and a strike's eight digits, as
``OccSymbol.format`` wrote them."""
_CACHE_LIMIT = 200_000
"""Entries per cache; an account holds far fewer distinct dates and strikes. Past it the
cache starts over, so no process grows without bound."""


def _remember(cache: dict[Any, str], key: Any, value: str) -> str:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def _occ_parts(occ: OccSymbol) -> tuple[str, str]:
    """The parts of ``occ.format()`` after the root, cached for the next symbols."""
    text_ = occ.format()  # raises for an expiration or a strike it cannot write
    cut = len(occ.root)
    middle, units = text_[cut : cut + 7], text_[cut + 7 :]
    _remember(_OCC_PARTS, (occ.expiration, occ.option_type), middle)
    _remember(_OCC_PARTS, occ.strike, units)
    return middle, units


def _finite(value: Decimal) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"expected a finite Decimal, got {value!r}")
    return value


class SqlPositionRepository:
    """The ``portfolio_positions`` :class:`~legsync.ports.PositionRepositoryPort`."""

    def __init__(self, source: ConnectionSource, dialect_name: str, upsert: str) -> None:
        self._source = source
        self._postgres = dialect_name == "postgresql"
        self._upsert = upsert
        self._stored_legs = _STORED_LEGS.format(mark="%s" if self._postgres else "?")

    # --- writes ----------------------------------------------------------------------------

    def upsert(self, legs: Iterable[OptionLeg]) -> int:
        """Write the legs in bulk; returns the rows actually inserted or changed."""
        connection = self._source.connection()
        written = 0
        for chunk in _chunks(_driver_rows(legs, self._postgres), _UPSERT_CHUNK):
            # An INSERT's row count is only kept when asked for; it is what upsert() returns.
            result = connection.exec_driver_sql(
                self._upsert, chunk, execution_options={"preserve_rowcount": True}
            )
            written += result.rowcount
        return written

    def delete(self, keys: Collection[LegKey]) -> int:
        ids = list(dict.fromkeys(key.as_id() for key in keys))
        if not ids:
            return 0
        statement = delete(_POSITIONS).where(self._id_in(ids))
        return self._source.connection().execute(statement).rowcount

    def delete_missing(self, account_id: str, keep: Collection[LegKey]) -> int:
        """One DELETE of the account's legs outside ``keep``, however many legs there are."""
        ids = list(dict.fromkeys(key.as_id() for key in keep if key.account_id == account_id))
        condition = _POSITIONS.c.account_id == account_id
        if ids:
            condition = condition & self._not_any_id(ids)
        return self._source.connection().execute(delete(_POSITIONS).where(condition)).rowcount

    def clear(self, account_id: str) -> int:
        return self.delete_missing(account_id, ())

    def _id_in(self, ids: list[str]) -> ColumnElement[bool]:
        """``= ANY(array)`` on PostgreSQL, ``IN (json_each)`` on SQLite: one bound value for
        any number of ids, so no statement ever hits a bind-parameter limit."""
        if self._postgres:
            return _POSITIONS.c.id == any_(bindparam("ids", ids, type_=_text_array()))
        return _POSITIONS.c.id.in_(select(_json_values(ids)))

    def _not_any_id(self, ids: list[str]) -> ColumnElement[bool]:
        if self._postgres:
            return _POSITIONS.c.id != all_(bindparam("ids", ids, type_=_text_array()))
        return _POSITIONS.c.id.not_in(select(_json_values(ids)))

    # --- reads -----------------------------------------------------------------------------

    def all_legs(self, account_id: str | None = None) -> list[OptionLeg]:
        statement = self._select_legs()
        if account_id is not None:
            statement = statement.where(_POSITIONS.c.account_id == account_id)
        return [leg for _, leg in self._read(statement.order_by(*self._key_order()))]

    def legs_by_key(self, account_id: str) -> dict[LegKey, OptionLeg]:
        statement = self._select_legs().where(_POSITIONS.c.account_id == account_id)
        return dict(self._read(statement))

    def stored_legs(self, account_id: str) -> StoredLegs:
        """The account's rows as records, through the driver's own cursor.

        This is the read of every sync, so it selects only what a comparison needs and skips
        SQLAlchemy's result rows: on a resync that finds nothing changed it is most of the
        sync's time. Costs and prices are read exactly (canonical text on SQLite, NUMERIC on
        PostgreSQL); a row the store could not have written (an unknown side, a text that is
        not a number) raises, and the sync fails without writing anything.
        """
        stored = StoredLegs(account_id)
        longs, shorts = stored.long, stored.short
        stamps: dict[object, datetime] = {}
        decimal_type, str_type, int_type = Decimal, str, int
        long_text, short_text = _LONG_TEXT, _SHORT_TEXT
        cursor = self._source.connection().connection.cursor()
        try:
            cursor.execute(self._stored_legs, (account_id,))
            while chunk := cursor.fetchmany(_READ_CHUNK):
                for symbol, side, quantity, cost, last, updated in chunk:
                    moment = stamps.get(updated)
                    if moment is None:
                        moment = stamps[updated] = _stored_moment(updated)
                    if cost.__class__ is str_type:
                        cost = decimal_type(cost)
                    if last.__class__ is str_type:
                        last = decimal_type(last)
                    record = (quantity, cost, last, moment)
                    if quantity.__class__ is not int_type:
                        raise _unexpected(symbol, record)
                    if side == long_text:
                        longs[symbol] = record
                    elif side == short_text:
                        shorts[symbol] = record
                    else:
                        raise ValueError(f"stored leg {symbol!r} has an unknown side {side!r}")
        finally:
            cursor.close()
        return stored

    def legs_for_symbol(
        self, account_id: str, symbol: str, expiration: date | None = None
    ) -> list[OptionLeg]:
        statement = self._select_legs().where(
            _POSITIONS.c.account_id == account_id, _POSITIONS.c.symbol == symbol
        )
        if expiration is not None:
            statement = statement.where(_POSITIONS.c.expiration == expiration)
        return [leg for _, leg in self._read(statement.order_by(*self._key_order()))]

    def accounts(self) -> list[str]:
        column = _POSITIONS.c.account_id
        statement = select(column).group_by(column).order_by(self._text_order(column))
        return list(self._source.connection().execute(statement).scalars())

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

    def _read(self, statement: Any) -> list[tuple[LegKey, OptionLeg]]:
        """Domain legs, with their keys, from raw rows, converting each distinct raw value once.

        A sync reads every leg of the account; expirations, strikes and update times repeat
        across legs, so caching their conversions makes reading 100,000 legs cheap. The loop
        is written out (no generator, no per-row helper calls): it runs once per stored leg.
        """
        decimals: dict[object, Decimal | None] = {None: None}
        dates: dict[object, date] = {}
        stamps: dict[object, datetime] = {}
        option_types, sides, new_tuple, missing = _OPTION_TYPES, _SIDES, tuple.__new__, _MISSING
        pairs: list[tuple[LegKey, OptionLeg]] = []
        append = pairs.append
        result = self._source.connection().execute(statement)
        # Rows in chunks: fetchmany is the driver's fast path (iterating a result row by row
        # costs a Python-level fetchone each), and chunks keep a huge account's raw rows from
        # all being alive at once.
        for row in itertools.chain.from_iterable(result.partitions(_READ_CHUNK)):
            (
                account_id,
                root,
                expiration,
                option_type,
                strike,
                side,
                quantity,
                cost,
                last,
                updated,
            ) = row
            day = dates.get(expiration)
            if day is None:
                day = dates[expiration] = to_date(expiration)  # type: ignore[assignment]
            price = decimals.get(strike, missing)
            if price is missing:
                price = decimals[strike] = to_decimal(strike)
            cost_value = decimals.get(cost, missing)
            if cost_value is missing:
                cost_value = decimals[cost] = to_decimal(cost)
            last_value = decimals.get(last, missing)
            if last_value is missing:
                last_value = decimals[last] = to_decimal(last)
            moment = stamps.get(updated)
            if moment is None:
                moment = stamps[updated] = to_utc(updated)  # type: ignore[assignment]
            kind, held = option_types[option_type], sides[side]
            leg = OptionLeg(
                account_id,
                new_tuple(OccSymbol, (root, day, kind, price)),
                held,
                quantity,
                cost_value,
                last_value,
                moment,  # type: ignore[arg-type]
            )
            append((new_tuple(LegKey, (account_id, root, day, kind, price, held)), leg))
        return pairs


_MISSING: Any = object()

_STORED_LEGS = (
    f"SELECT occ_symbol, side, quantity, cost_basis_per_contract, last_price, updated_at "
    f"FROM {_POSITIONS.name} WHERE account_id = {{mark}}"
)


def _stored_moment(value: object) -> datetime:
    moment = to_utc(value)
    if moment is None:
        raise ValueError("a stored leg has no updated_at")
    return moment


_LONG_TEXT, _SHORT_TEXT = Side.LONG.value, Side.SHORT.value


def _unexpected(symbol: object, record: LegRecord) -> ValueError:
    """An INTEGER column of SQLite holds whatever was written to it. (Costs and prices need no
    such check: their columns are TEXT on SQLite, which stores any number as text, and NUMERIC
    on PostgreSQL; a text that is not a number fails its conversion.)"""
    return ValueError(f"stored leg {symbol!r} holds values of unexpected types: {record!r}")


def _text_array() -> Any:
    """PostgreSQL's ``TEXT[]``, its dialect imported only when a PostgreSQL store needs it (a
    quarter of the SQLite command line's SQLAlchemy imports)."""
    from sqlalchemy.dialects.postgresql import ARRAY

    return ARRAY(Text)


def _json_values(ids: list[str]) -> Any:
    return func.json_each(bindparam("ids", json.dumps(ids), type_=Text)).table_valued("value")


def _chunks(items: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk

"""The bulk upsert's driver rows are exactly what the column types would bind, on both
databases, and refuse what the column types refuse."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Dialect
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import psycopg

from legsync.adapters.sql.positions import _ROW_COLUMNS, _driver_rows, position_values
from legsync.adapters.sql.tables import POSITIONS
from legsync.domain import OptionLeg, Side, parse_occ_symbol

T0 = datetime(2027, 3, 1, 14, 30, 0, 123456, tzinfo=UTC)
GMT = timezone(timedelta(0), "GMT")  # offset 0, not the UTC singleton


def leg(symbol: str, **changes: Any) -> OptionLeg:
    base = OptionLeg(
        "VA000001", parse_occ_symbol(symbol), Side.LONG, 2, Decimal("155.50"), None, T0
    )
    return replace(base, **changes)


LEGS = [
    leg("SPY270319C00450000"),
    leg("SPY270319C00450000", side=Side.SHORT, cost_basis_per_contract=None),
    leg("SPXW270319P04512500", last_price=Decimal("1.0500"), quantity=0),
    leg("BRKB270319C00420000", cost_basis_per_contract=Decimal("1E+2")),
    leg("AAPL1270319P00002010", updated_at=datetime(2027, 3, 1, 9, 30, tzinfo=GMT)),
    leg("SPY270319C00450000", account_id="another"),
]


POSTGRESQL: Dialect = psycopg.dialect()  # type: ignore[no-untyped-call]  # untyped in SQLAlchemy


def through_column_types(item: OptionLeg, dialect: Dialect) -> tuple[Any, ...]:
    """What Core binds for ``position_values(item)``: each column type's bind processor."""
    values = position_values(item)
    table = POSITIONS
    bound = []
    for name in _ROW_COLUMNS:
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        bound.append(processor(values[name]) if processor else values[name])
    return tuple(bound)


@pytest.mark.parametrize(("dialect", "postgres"), [(sqlite.dialect(), False), (POSTGRESQL, True)])
def test_driver_rows_are_what_the_column_types_bind(dialect: Dialect, postgres: bool) -> None:
    assert list(_driver_rows(LEGS, postgres)) == [through_column_types(i, dialect) for i in LEGS]
    assert set(_ROW_COLUMNS) == {column.name for column in POSITIONS.columns}


@pytest.mark.parametrize("postgres", [False, True])
@pytest.mark.parametrize(
    "bad",
    [
        {"cost_basis_per_contract": Decimal("NaN")},
        {"last_price": Decimal("Infinity")},
    ],
)
def test_driver_rows_refuse_what_the_column_types_refuse(
    postgres: bool, bad: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match="finite Decimal"):
        list(_driver_rows([leg("SPY270319C00450000", **bad)], postgres))

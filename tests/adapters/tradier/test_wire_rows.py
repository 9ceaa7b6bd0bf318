"""The positions parser reads rows shaped as Tradier writes them through a fast path: it must
accept and refuse exactly what the strict per-row reader does, and build the same positions.

The rows here are as ``decode_json`` leaves them: JSON decimals are ``Decimal``; the fast path
takes only finite ``Decimal`` numbers, string symbols and ISO-string timestamps, so every other
shape goes through the strict reader, and the tests check the two agree on every kind of row.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legsync.adapters.tradier.wire import (
    WireError,
    _position,
    parse_positions_body,
    positions_from_payload,
)
from legsync.domain import BrokerPosition


def outcome(rows: list[Any]) -> tuple[BrokerPosition, ...] | str:
    try:
        return positions_from_payload({"positions": {"position": rows}})
    except WireError as refused:
        return refused.reason


def strict(rows: list[Any]) -> tuple[BrokerPosition, ...] | str:
    try:
        return tuple(_position(row, number) for number, row in enumerate(rows, 1))
    except WireError as refused:
        return refused.reason


GOOD = {
    "symbol": "SPY270115C00450000",
    "quantity": Decimal("-2.00000000"),
    "cost_basis": Decimal("-812.00"),
    "date_acquired": "2026-03-02T14:30:00.000Z",
}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"symbol": None}, "position 2 has no symbol"),
        ({"symbol": " \t"}, "position 2 has no usable symbol"),
        ({"symbol": 7}, "position 2 has no usable symbol (number 7)"),
        ({"quantity": None}, "position 2 (SPY270115C00450000) has no quantity"),
        ({"quantity": Decimal("NaN")}, "quantity is number NaN, not a finite number"),
        ({"quantity": Decimal("-Infinity")}, "not a finite number"),
        ({"quantity": "two"}, "quantity is 'two', not a number"),
        ({"quantity": True}, "quantity is boolean True, not a number"),
        ({"cost_basis": Decimal("Infinity")}, "cost_basis is number Infinity, not a finite"),
        ({"cost_basis": "n/a"}, "cost_basis is 'n/a', not a number"),
        ({"cost_basis": [1]}, "cost_basis is a JSON array, not a number"),
        ({"date_acquired": "yesterday"}, "date_acquired is 'yesterday', not an ISO timestamp"),
        ({"date_acquired": ""}, "date_acquired is an empty string, not an ISO timestamp"),
        ({"date_acquired": 1754660471}, "date_acquired is number 1754660471, not a timestamp"),
        ({"date_acquired": {"at": 1}}, "date_acquired is a JSON object, not a timestamp"),
    ],
)
def test_a_bad_row_shaped_as_tradier_writes_it_is_named(
    change: dict[str, Any], reason: str
) -> None:
    bad = {**GOOD, **change}
    found = outcome([GOOD, bad, GOOD])
    assert isinstance(found, str)
    assert reason in found
    assert found.startswith("position 2")
    assert found == strict([GOOD, bad, GOOD])


def test_a_row_that_is_not_an_object_is_named_among_good_rows() -> None:
    assert outcome([GOOD, ["SPY"], GOOD]) == "position 2 is a JSON array, not an object"


def test_rows_as_tradier_writes_them_are_read_exactly() -> None:
    body = (
        json.dumps(
            {
                "positions": {
                    "position": [
                        {
                            "cost_basis": -16305.00,
                            "date_acquired": "2026-03-02T14:30:00.000Z",
                            "id": 100001,
                            "quantity": -3.00000000,
                            "symbol": "MMQ251223C00027000",
                        },
                        {
                            "cost_basis": None,
                            "date_acquired": None,
                            "quantity": 1.0,
                            "symbol": "IJIE260304P00083000",
                        },
                        {
                            "quantity": 1.5,
                            "symbol": "AAPL",
                            "date_acquired": " 2026-08-08T10:41:11-04:00 ",
                        },
                    ]
                }
            }
        )
        .replace("-16305.0", "-16305.00")
        .replace("-3.0,", "-3.00000000,")
    )
    first, second, third = parse_positions_body(body)
    assert first == BrokerPosition(
        symbol="MMQ251223C00027000",
        quantity=Decimal("-3.00000000"),
        cost_basis=Decimal("-16305.00"),
        date_acquired=datetime(2026, 3, 2, 14, 30, tzinfo=UTC),
    )
    assert str(first.quantity) == "-3.00000000"
    assert str(first.cost_basis) == "-16305.00"
    assert first.date_acquired is not None
    assert first.date_acquired.tzinfo is UTC
    assert second == BrokerPosition(symbol="IJIE260304P00083000", quantity=Decimal("1.0"))
    assert third.date_acquired == datetime(2026, 8, 8, 14, 41, 11, tzinfo=UTC)
    assert third.date_acquired is not None
    assert third.date_acquired.tzinfo is UTC


DECIMALS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=8),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: Decimal(repr(f))),
)
MOMENTS = st.datetimes(  # hypothesis takes naive bounds and adds the zones itself
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=-4)), timezone.min]),
).map(lambda moment: moment.isoformat())
USABLE = st.fixed_dictionaries(
    {"symbol": st.text(min_size=1, max_size=22), "quantity": DECIMALS},
    optional={
        "cost_basis": st.one_of(st.none(), DECIMALS),
        "date_acquired": st.one_of(st.none(), MOMENTS, MOMENTS.map(lambda t: f" {t}\n")),
        "id": st.integers(),
    },
)
"""Rows the way Tradier writes them, most of which the fast path takes."""
NUMBERS = st.one_of(
    st.none(),
    DECIMALS,
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.sampled_from(["1.5", " -2 ", "", "x", "NaN", "1e3"]),
)
TIMES = st.one_of(
    st.none(),
    st.integers(),
    MOMENTS,
    st.sampled_from(["", "yesterday", "2026-13-01T00:00:00Z", " 2026-03-02T14:30:00Z "]),
)
ANY = st.one_of(
    st.fixed_dictionaries(
        {"symbol": st.one_of(st.none(), st.integers(), st.text(max_size=22))},
        optional={"quantity": NUMBERS, "cost_basis": NUMBERS, "date_acquired": TIMES},
    ),
    st.sampled_from([None, "SPY", 3, []]),
)
"""Rows of any shape, good or bad."""


def exactly(found: tuple[BrokerPosition, ...] | str) -> list[tuple[Any, ...]] | str:
    """Positions as text: equal Decimals and datetimes can still differ in digits or zone."""
    if isinstance(found, str):
        return found
    return [
        (
            p.symbol,
            str(p.quantity),
            str(p.cost_basis),
            None if p.date_acquired is None else p.date_acquired.isoformat(),
            None if p.date_acquired is None else p.date_acquired.tzinfo is UTC,
        )
        for p in found
    ]


@given(st.lists(USABLE, max_size=8))
def test_the_fast_path_reads_rows_as_the_strict_reader_does(rows: list[Any]) -> None:
    assert exactly(outcome(rows)) == exactly(strict(rows))


@given(st.lists(USABLE, max_size=4), ANY, st.lists(st.one_of(USABLE, ANY), max_size=4))
def test_the_fast_path_agrees_with_the_strict_reader_on_every_row(
    before: list[Any], odd: Any, after: list[Any]
) -> None:
    rows = [*before, odd, *after]
    assert exactly(outcome(rows)) == exactly(strict(rows))

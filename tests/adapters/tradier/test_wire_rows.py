"""The positions parser reads rows shaped as Tradier writes them exactly, and names the first
bad one. The rows here are as ``decode_json`` leaves them: JSON decimals are ``Decimal``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from legsync.adapters.tradier.wire import WireError, parse_positions_body, positions_from_payload
from legsync.domain import BrokerPosition


def outcome(rows: list[Any]) -> tuple[BrokerPosition, ...] | str:
    try:
        return positions_from_payload({"positions": {"position": rows}})
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

"""The parser both Tradier brokers share: every shape Tradier sends, and every body that is
not a positions answer, decided without a network."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Context, Decimal, Inexact, localcontext

import pytest

from legsync.adapters.tradier.wire import (
    QuoteChunk,
    WireError,
    accounts_from_payload,
    decode_json,
    fault_in,
    marks_from,
    parse_positions_body,
    parse_quotes_body,
    quotes_from_payload,
)
from legsync.ports import Marks


def rows(body: str) -> list[tuple[str, Decimal, Decimal | None]]:
    return [(p.symbol, p.quantity, p.cost_basis) for p in parse_positions_body(body)]


# --- shapes that are answers -----------------------------------------------------------------


def test_many_positions_come_as_a_list_in_the_brokers_order() -> None:
    body = """{"positions": {"position": [
        {"cost_basis": 17610.00, "date_acquired": "2026-03-02T14:41:11.405Z", "id": 11,
         "quantity": 100.00000000, "symbol": "MSFT"},
        {"cost_basis": -412.00, "date_acquired": "2026-06-05T13:45:12.385Z", "id": 12,
         "quantity": -2.00000000, "symbol": "QQQ270618P00450000"}
    ]}}"""
    assert rows(body) == [
        ("MSFT", Decimal("100"), Decimal("17610")),
        ("QQQ270618P00450000", Decimal("-2"), Decimal("-412")),
    ]


def test_a_single_position_comes_as_a_bare_object() -> None:
    body = """{"positions": {"position": {"cost_basis": 95.5, "date_acquired":
        "2026-03-02T14:41:11.405Z", "id": 7, "quantity": 1.00000000,
        "symbol": "DIA270115C00480000"}}}"""
    assert rows(body) == [("DIA270115C00480000", Decimal(1), Decimal("95.5"))]


@pytest.mark.parametrize(
    "body",
    [
        '{"positions": "null"}',
        '{"positions": null}',
        '{"positions": {"position": []}}',
    ],
    ids=["the string null", "json null", "an empty list"],
)
def test_no_positions_is_an_explicit_empty_answer(body: str) -> None:
    assert parse_positions_body(body) == ()


def test_numbers_are_exact_decimals_never_floats() -> None:
    body = """{"positions": {"position": [
        {"symbol": "XYZ270319C00002010", "quantity": 1.00000000, "cost_basis": 207.01},
        {"symbol": "XYZ270319C00002020", "quantity": 3, "cost_basis": 0.1}
    ]}}"""
    first, second = parse_positions_body(body)
    assert first.quantity == Decimal("1.00000000")
    assert str(first.quantity) == "1.00000000"
    assert str(first.cost_basis) == "207.01"
    assert str(second.cost_basis) == "0.1"  # a float would have been 0.1000000000000000055...
    assert all(isinstance(v, Decimal) for p in (first, second) for v in (p.quantity, p.cost_basis))


def test_numbers_given_as_strings_are_read_exactly() -> None:
    body = """{"positions": {"position": {"symbol": "IWM270115P00200000",
        "quantity": "-1.00000000", "cost_basis": "-391.00"}}}"""
    (row,) = parse_positions_body(body)
    assert (row.quantity, row.cost_basis) == (Decimal("-1.00000000"), Decimal("-391.00"))
    assert str(row.cost_basis) == "-391.00"


def test_stock_and_option_rows_are_all_returned_for_the_sync_to_sort() -> None:
    body = """{"positions": {"position": [
        {"symbol": "AAPL", "quantity": 50, "cost_basis": 9100},
        {"symbol": "SPXW270331C06800000", "quantity": 1, "cost_basis": 4210},
        {"symbol": "BRKB270115C00500000", "quantity": -1, "cost_basis": -620}
    ]}}"""
    assert [s for s, _, _ in rows(body)] == ["AAPL", "SPXW270331C06800000", "BRKB270115C00500000"]


def test_a_missing_or_null_cost_basis_is_none() -> None:
    body = """{"positions": {"position": [
        {"symbol": "F270115C00015000", "quantity": 2},
        {"symbol": "F270115C00016000", "quantity": 2, "cost_basis": null}
    ]}}"""
    assert [c for _, _, c in rows(body)] == [None, None]


def test_date_acquired_is_an_aware_utc_time() -> None:
    body = """{"positions": {"position": [
        {"symbol": "A", "quantity": 1, "date_acquired": "2026-08-08T14:41:11.405Z"},
        {"symbol": "B", "quantity": 1, "date_acquired": "2026-08-08T10:41:11-04:00"},
        {"symbol": "C", "quantity": 1, "date_acquired": "2026-08-08T14:41:11"},
        {"symbol": "D", "quantity": 1}
    ]}}"""
    a, b, c, d = (p.date_acquired for p in parse_positions_body(body))
    assert a == datetime(2026, 8, 8, 14, 41, 11, 405000, tzinfo=UTC)
    assert b == c == datetime(2026, 8, 8, 14, 41, 11, tzinfo=UTC)
    assert b is not None
    assert b.tzinfo is UTC
    assert d is None


def test_fields_legsync_does_not_use_are_ignored() -> None:
    body = """{"positions": {"position": {"symbol": "T", "quantity": 1, "id": "x-17",
        "price": "n/a", "future_field": {"nested": true}}}}"""
    assert rows(body) == [("T", Decimal(1), None)]


def test_a_byte_order_mark_in_a_saved_file_is_tolerated() -> None:
    assert parse_positions_body(b'\xef\xbb\xbf{"positions": "null"}') == ()


# --- bodies that are not answers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ('{"positions": {"position": [{"symbol": "A", "quantity": 1}', "not valid JSON at line"),
        ("{'positions': 'null'}", "not valid JSON"),
        ('{"positions": {"position": {"symbol": "A", "quantity": NaN}}}', "not valid JSON"),
        ('{"positions": {"position": {"symbol": "A", "quantity": Infinity}}}', "not valid JSON"),
        ("<!DOCTYPE html><html><body>API documentation</body></html>", "HTML page"),
        ("  <html><head><title>Tradier</title></head></html>", "HTML page"),
        (
            "<?xml version='1.0' encoding='UTF-8'?><fault><faultstring>Gateway Timeout"
            "</faultstring><detail><errorcode>messaging.adaptors.http.flow.GatewayTimeout"
            "</errorcode></detail></fault>",
            "XML fault: Gateway Timeout",
        ),
        ("<positions><position><symbol>A</symbol></position></positions>", "XML, not JSON"),
        ('["positions"]', "JSON array, not an object"),
        ('"null"', "JSON string, not an object"),
        ("null", "JSON null, not an object"),
        ("{}", 'no "positions" key'),
        ('{"account": {"positions": "null"}}', 'no "positions" key (keys: account)'),
        ('{"positions": ""}', '"positions" is an empty string; expected an object or "null"'),
        ('{"positions": "none"}', "\"positions\" is 'none'"),
        ('{"positions": []}', '"positions" is a JSON array'),
        ('{"positions": 0}', '"positions" is number 0'),
        ('{"positions": {}}', 'no "position" entry'),
        ('{"positions": {"position": null}}', '"position" is null'),
        ('{"positions": {"position": "AAPL"}}', "\"position\" is 'AAPL'"),
        ('{"positions": {"position": ["AAPL"]}}', "position 1 is 'AAPL', not an object"),
    ],
)
def test_a_body_that_is_not_a_positions_answer_is_refused(body: str, reason: str) -> None:
    with pytest.raises(WireError) as refused:
        parse_positions_body(body)
    assert reason in refused.value.reason


def test_a_body_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(WireError, match="not UTF-8"):
        parse_positions_body(b'{"positions": {"position": {"symbol": "\xff\xfe", "quantity": 1}}}')


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ('{"quantity": 1}', "position 2 has no symbol"),
        ('{"symbol": null, "quantity": 1}', "position 2 has no symbol"),
        ('{"symbol": "", "quantity": 1}', "position 2 has no usable symbol (an empty string)"),
        ('{"symbol": "  ", "quantity": 1}', "position 2 has no usable symbol"),
        ('{"symbol": 123, "quantity": 1}', "position 2 has no usable symbol (number 123)"),
        ('{"symbol": "B"}', "position 2 (B) has no quantity"),
        ('{"symbol": "B", "quantity": null}', "position 2 (B) has no quantity"),
        ('{"symbol": "B", "quantity": "two"}', "position 2 (B) quantity is 'two', not a number"),
        ('{"symbol": "B", "quantity": ""}', "quantity is an empty string, not a number"),
        ('{"symbol": "B", "quantity": true}', "quantity is boolean True, not a number"),
        ('{"symbol": "B", "quantity": [1]}', "quantity is a JSON array, not a number"),
        ('{"symbol": "B", "quantity": "NaN"}', "quantity is 'NaN', not a finite number"),
        ('{"symbol": "B", "quantity": "-Infinity"}', "not a finite number"),
        ('{"symbol": "B", "quantity": 1, "cost_basis": "n/a"}', "cost_basis is 'n/a'"),
        ('{"symbol": "B", "quantity": 1, "date_acquired": "yesterday"}', "not an ISO timestamp"),
        ('{"symbol": "B", "quantity": 1, "date_acquired": 1754660471}', "not a timestamp"),
    ],
)
def test_a_row_missing_its_symbol_or_a_usable_quantity_fails_the_whole_read(
    row: str, reason: str
) -> None:
    body = '{"positions": {"position": [{"symbol": "A", "quantity": 1}, ' + row + "]}}"
    with pytest.raises(WireError) as refused:
        parse_positions_body(body)
    assert reason in refused.value.reason


def test_a_reason_quotes_a_brokers_text_short_and_on_one_line() -> None:
    long_symbol = "X" * 500 + "\n\x1b[31m"
    body = json.dumps({"positions": {"position": {"symbol": long_symbol, "quantity": "?"}}})
    with pytest.raises(WireError) as refused:
        parse_positions_body(body)
    assert len(refused.value.reason) < 300
    assert "\n" not in refused.value.reason
    assert "\x1b" not in refused.value.reason


# --- faults and errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message", "auth", "transient"),
    [
        (
            '{"fault": {"faultstring": "Invalid Access Token", "detail": {"errorcode": '
            '"keymanagement.service.invalid_access_token"}}}',
            "Invalid Access Token (keymanagement.service.invalid_access_token)",
            True,
            False,
        ),
        ('{"fault": {"faultstring": "Access Token expired"}}', "Access Token expired", True, False),
        (
            '{"fault": {"faultstring": "Datastore Error", "detail": {"errorcode": '
            '"steps.servicecallout.ExecutionFailed"}}}',
            "Datastore Error (steps.servicecallout.ExecutionFailed)",
            False,
            True,
        ),
        (
            '{"errors": {"error": "Invalid Parameter: account_id"}}',
            "Invalid Parameter",
            False,
            False,
        ),
        (
            '{"errors": {"error": ["first problem", "second"]}}',
            "first problem; second",
            False,
            False,
        ),
        ('{"errors": ["a bare list of errors"]}', "a bare list of errors", False, False),
    ],
)
def test_faults_and_errors_are_recognised_and_classified(
    body: str, message: str, auth: bool, transient: bool
) -> None:
    fault = fault_in(decode_json(body))
    assert fault is not None
    assert message in fault.message
    assert (fault.auth, fault.transient) == (auth, transient)
    with pytest.raises(WireError) as refused:
        parse_positions_body(body)
    assert message in refused.value.reason
    assert (refused.value.auth, refused.value.transient) == (auth, transient)


def test_a_body_with_errors_is_a_failure_even_beside_positions() -> None:
    body = '{"positions": "null", "errors": {"error": "account is locked"}}'
    with pytest.raises(WireError, match="account is locked"):
        parse_positions_body(body)


# --- quotes ----------------------------------------------------------------------------------

CALL = "SPY270319C00600000"
PUT = "SPY270319P00500000"


def quotes(quote: object, unmatched: object = None) -> object:
    """A quotes answer as Tradier writes it, decoded the way the broker decodes it."""
    inner: dict[str, object] = {"quote": quote}
    if unmatched is not None:
        inner["unmatched_symbols"] = {"symbol": unmatched}
    return decode_json(json.dumps({"quotes": inner}))


def test_quotes_for_many_symbols_come_as_a_list_and_are_marked_at_last() -> None:
    payload = quotes(
        [
            {"symbol": CALL, "last": 12.35, "bid": 12.3, "ask": 12.4},
            {"symbol": PUT, "last": "4.10", "bid": 4.0, "ask": 4.2},
        ]
    )
    read = quotes_from_payload(payload, [CALL, PUT])
    assert read.prices == {CALL: Decimal("12.35"), PUT: Decimal("4.10")}
    assert read.unmatched == read.warnings == ()


def test_a_contract_that_has_not_traded_is_marked_at_the_midpoint() -> None:
    payload = quotes(
        {
            "symbol": CALL,
            "type": "option",
            "last": None,
            "bid": 0.0,
            "ask": 0.01,
            "contract_size": 100,
        }
    )
    assert quotes_from_payload(payload, [CALL]).prices == {CALL: Decimal("0.005")}


def test_a_midpoint_is_exact_whatever_the_callers_decimal_context() -> None:
    """A caller's thread context of two digits must not round a mark to 1.2 and leave it in
    the store."""
    payload = quotes({"symbol": CALL, "last": None, "bid": "1.23", "ask": "1.24"})
    with localcontext(Context(prec=2, traps=[Inexact])):
        prices = quotes_from_payload(payload, [CALL]).prices
    assert prices == {CALL: Decimal("1.235")}


def test_unknown_symbols_are_reported_unmatched_whether_one_or_many() -> None:
    one = quotes({"symbol": CALL, "last": 1.5}, unmatched="ZZZ270319C00001000")
    assert quotes_from_payload(one, [CALL, "ZZZ270319C00001000"]).unmatched == (
        "ZZZ270319C00001000",
    )
    every = decode_json('{"quotes": {"unmatched_symbols": {"symbol": ["Q1", "Q2"]}}}')
    read = quotes_from_payload(every, ["Q1", "Q2"])
    assert (read.prices, read.unmatched) == ({}, ("Q1", "Q2"))


def test_a_symbol_the_answer_leaves_out_is_unmatched_and_extra_quotes_are_ignored() -> None:
    payload = decode_json('{"quotes": {"quote": {"symbol": "NOT_ASKED", "last": 3}}}')
    read = quotes_from_payload(payload, [CALL])
    assert (read.prices, read.unmatched) == ({}, (CALL,))


@pytest.mark.parametrize(
    ("quote", "warning"),
    [
        ({"last": None, "bid": None, "ask": None}, "has not traded and has no bid and ask"),
        ({"last": None, "bid": 2.0, "ask": 1.0}, "are not a market"),
        ({"last": -1}, "last is negative"),
        ({"last": "n/a"}, "last is 'n/a', not a number"),
    ],
)
def test_a_quote_that_cannot_be_priced_is_a_warning_not_a_failure(
    quote: dict[str, object], warning: str
) -> None:
    payload = quotes([{"symbol": CALL, **quote}, {"symbol": PUT, "last": 2}])
    read = quotes_from_payload(payload, [CALL, PUT])
    assert read.prices == {PUT: Decimal(2)}
    assert read.unmatched == ()
    assert len(read.warnings) == 1
    assert CALL in read.warnings[0]
    assert warning in read.warnings[0]


@pytest.mark.parametrize(
    "body", ['{"positions": "null"}', '{"quotes": "null"}', "[]", '{"errors": {"error": "x"}}']
)
def test_a_body_that_is_not_a_quotes_answer_is_refused(body: str) -> None:
    with pytest.raises(WireError):
        quotes_from_payload(decode_json(body), [CALL])


def test_a_saved_quotes_body_reads_as_the_api_answer_does() -> None:
    body = json.dumps({"quotes": {"quote": {"symbol": CALL, "last": None, "bid": 1.2, "ask": 1.3}}})
    assert parse_quotes_body(body, [CALL]).prices == {CALL: Decimal("1.25")}
    with pytest.raises(WireError, match="HTML page"):
        parse_quotes_body("<html><body>Sign in</body></html>", [CALL])


def test_the_answers_of_one_read_make_one_set_of_marks_in_the_order_read() -> None:
    marks = marks_from(
        [
            QuoteChunk(warnings=("first",)),
            QuoteChunk(prices={CALL: Decimal("1.5")}, unmatched=("Q1",), warnings=("second",)),
            QuoteChunk(prices={PUT: Decimal("0.05")}, unmatched=("Q2",)),
        ]
    )
    assert marks.prices == {CALL: Decimal("1.5"), PUT: Decimal("0.05")}
    assert marks.unmatched == ("Q1", "Q2")
    assert marks.warnings == ("first", "second")
    assert marks_from([]) == Marks()


# --- accounts --------------------------------------------------------------------------------


def test_accounts_come_as_a_list_or_a_bare_object() -> None:
    many = '{"profile": {"account": [{"account_number": "VA000001"}, {"account_number": "6YA02"}]}}'
    one = '{"profile": {"account": {"account_number": "VA000001"}}}'
    assert accounts_from_payload(decode_json(many)) == ("VA000001", "6YA02")
    assert accounts_from_payload(decode_json(one)) == ("VA000001",)
    assert accounts_from_payload(decode_json('{"profile": {"id": "u"}}')) == ()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            '{"profile": {"account": {"account_number": 12345}}}',
            "account 1 has no usable account_number (number 12345)",
        ),
        ('{"profile": {"account": [{"type": "margin"}]}}', "no usable account_number (null)"),
        ('{"user": {}}', '"profile" is null'),
    ],
)
def test_a_profile_without_usable_account_numbers_is_refused(body: str, reason: str) -> None:
    with pytest.raises(WireError) as refused:
        accounts_from_payload(decode_json(body))
    assert reason in refused.value.reason

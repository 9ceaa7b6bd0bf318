"""FileQuotes: a saved Tradier quotes body, read with the same rules as the live API's answer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from legsync.adapters.tradier import FileBroker, FileQuotes, example_quotes_path
from legsync.domain import parse_occ_symbol
from legsync.ports import BrokerUnavailable, QuotePort
from tests.support.tradier_server import fault_body, quotes_body

ROOT = Path(__file__).resolve().parents[3]
SHORT_PUT = "SPY270319P00540000"
LONG_PUT = "SPY270319P00530000"
UNTRADED = "IWM270115C00255000"


def saved(tmp_path: Path, body: bytes | str) -> Path:
    path = tmp_path / "quotes.json"
    path.write_bytes(body.encode() if isinstance(body, str) else body)
    return path


def spread_quotes(tmp_path: Path) -> Path:
    return saved(
        tmp_path,
        quotes_body(
            [
                {"symbol": SHORT_PUT, "type": "option", "last": Decimal("4.85"),
                 "bid": Decimal("4.81"), "ask": Decimal("4.89")},
                {"symbol": LONG_PUT, "type": "option", "last": "3.52",
                 "bid": Decimal("3.49"), "ask": Decimal("3.56")},
                {"symbol": UNTRADED, "type": "option", "last": None,
                 "bid": Decimal("1.62"), "ask": Decimal("1.71")},
            ]
        ),
    )  # fmt: skip


def test_it_is_a_quote_port(tmp_path: Path) -> None:
    assert isinstance(FileQuotes(spread_quotes(tmp_path)), QuotePort)


def test_a_saved_answer_marks_each_symbol_at_its_last_price(tmp_path: Path) -> None:
    marks = FileQuotes(spread_quotes(tmp_path)).fetch_marks([SHORT_PUT, LONG_PUT])
    assert marks.prices == {SHORT_PUT: Decimal("4.85"), LONG_PUT: Decimal("3.52")}
    assert all(isinstance(price, Decimal) for price in marks.prices.values())
    assert marks.unmatched == marks.warnings == ()


def test_a_contract_that_has_not_traded_is_marked_at_the_bid_ask_midpoint(tmp_path: Path) -> None:
    marks = FileQuotes(spread_quotes(tmp_path)).fetch_marks([UNTRADED])
    assert marks.prices == {UNTRADED: Decimal("1.665")}


def test_one_quote_saved_as_a_bare_object_is_read(tmp_path: Path) -> None:
    path = saved(tmp_path, quotes_body([{"symbol": SHORT_PUT, "last": Decimal("4.85")}]))
    assert FileQuotes(path).fetch_marks([SHORT_PUT]).prices == {SHORT_PUT: Decimal("4.85")}


def test_symbols_the_file_does_not_quote_are_unmatched_and_extra_quotes_ignored(
    tmp_path: Path,
) -> None:
    unknown = "QQQ270618P00450000"
    marks = FileQuotes(spread_quotes(tmp_path)).fetch_marks([SHORT_PUT, unknown, unknown])
    assert marks.prices == {SHORT_PUT: Decimal("4.85")}, "quotes not asked for are left out"
    assert marks.unmatched == (unknown,)


def test_symbols_tradier_listed_as_unmatched_are_unmatched(tmp_path: Path) -> None:
    path = saved(tmp_path, quotes_body([], unmatched=["ZZZ270319C00001000", "NOPE"]))
    marks = FileQuotes(path).fetch_marks(["ZZZ270319C00001000", "NOPE"])
    assert (marks.prices, marks.unmatched) == ({}, ("ZZZ270319C00001000", "NOPE"))


def test_a_quote_that_cannot_be_priced_is_a_warning(tmp_path: Path) -> None:
    path = saved(
        tmp_path,
        quotes_body(
            [
                {"symbol": SHORT_PUT, "last": None, "bid": None, "ask": None},
                {"symbol": LONG_PUT, "last": Decimal("3.52")},
            ]
        ),
    )
    marks = FileQuotes(path).fetch_marks([SHORT_PUT, LONG_PUT])
    assert marks.prices == {LONG_PUT: Decimal("3.52")}
    (warning,) = marks.warnings
    assert SHORT_PUT in warning
    assert "no bid and ask" in warning


def test_the_file_is_read_afresh_on_every_fetch(tmp_path: Path) -> None:
    path = spread_quotes(tmp_path)
    quotes = FileQuotes(path)
    assert quotes.fetch_marks([SHORT_PUT]).prices == {SHORT_PUT: Decimal("4.85")}
    path.write_bytes(quotes_body([{"symbol": SHORT_PUT, "last": Decimal("5.10")}]))
    assert quotes.fetch_marks([SHORT_PUT]).prices == {SHORT_PUT: Decimal("5.10")}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "the body is empty"),
        ('{"quotes": {"quote": [{"symbol": "SPY270319P00540000", "la', "not valid JSON"),
        ("<!DOCTYPE html><html><body>Sign in</body></html>", "HTML page"),
        ("<fault><faultstring>Gateway Timeout</faultstring></fault>", "XML fault"),
        (fault_body("Invalid Access Token").decode(), "Invalid Access Token"),
        ('{"errors": {"error": "Invalid Parameter: symbols"}}', "Invalid Parameter"),
        ('{"positions": {"position": {"symbol": "AAPL"}}}', 'no "quotes" key (keys: positions)'),
        ('{"quotes": "null"}', "expected an object"),
        ("[]", "not an object"),
    ],
    ids=[
        "empty",
        "truncated",
        "html",
        "xml fault",
        "fault",
        "errors",
        "a positions answer",
        "quotes null",
        "array",
    ],
)
def test_a_file_that_is_not_a_quotes_answer_is_a_failed_read_naming_the_file(
    tmp_path: Path, body: str, reason: str
) -> None:
    path = saved(tmp_path, body)
    with pytest.raises(BrokerUnavailable) as failed:
        FileQuotes(path).fetch_marks([SHORT_PUT])
    assert reason in failed.value.reason
    assert f"quotes file {path}" in failed.value.reason, "the error names the file"
    assert failed.value.__cause__ is None
    assert failed.value.__context__ is None


def test_a_missing_file_is_a_failed_read_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    with pytest.raises(BrokerUnavailable, match="cannot read quotes file") as failed:
        FileQuotes(missing).fetch_marks([SHORT_PUT])
    assert str(missing) in failed.value.reason
    assert "No such file" in failed.value.reason
    assert failed.value.__cause__ is None
    assert failed.value.__context__ is None


def test_a_directory_is_a_failed_read(tmp_path: Path) -> None:
    with pytest.raises(BrokerUnavailable, match="cannot read quotes file"):
        FileQuotes(tmp_path).fetch_marks([SHORT_PUT])


def test_its_repr_names_the_file(tmp_path: Path) -> None:
    assert repr(FileQuotes(tmp_path / "q.json")) == f"FileQuotes({str(tmp_path / 'q.json')!r})"


# --- the shipped example ----------------------------------------------------------------------


def test_the_packaged_example_is_identical_to_the_one_in_examples() -> None:
    assert (
        example_quotes_path().read_bytes()
        == (ROOT / "examples" / "tradier_quotes.json").read_bytes()
    )


def test_the_example_prices_every_holding_of_the_example_positions() -> None:
    held = [p.symbol for p in FileBroker.example().fetch_positions("VA000001").positions]
    marks = FileQuotes.example().fetch_marks(held)
    assert set(marks.prices) == set(held), "every contract and the shares"
    assert marks.unmatched == marks.warnings == ()
    assert all(price > 0 for price in marks.prices.values())


def test_the_example_has_a_contract_that_has_not_traded_marked_at_its_midpoint() -> None:
    import json

    raw = json.loads(example_quotes_path().read_text(), parse_float=Decimal)
    untraded = [q for q in raw["quotes"]["quote"] if q["last"] is None]
    assert untraded, "at least one option quote without a last trade"
    marks = FileQuotes.example().fetch_marks([q["symbol"] for q in untraded])
    for quote in untraded:
        parse_occ_symbol(quote["symbol"])  # an option, not shares
        assert marks.prices[quote["symbol"]] == (quote["bid"] + quote["ask"]) / 2

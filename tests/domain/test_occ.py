"""The OCC option-symbol parser, rule by rule.

Two spellings are accepted, Tradier's compact one and the 21-character OSI one, and nothing
else; every rejection is an InvalidOccSymbol whose message names the input and what is wrong.
"""

from __future__ import annotations

import decimal
from datetime import date
from decimal import Decimal

import pytest

from legsync.domain import InvalidOccSymbol, OccSymbol, OptionType, parse_occ_symbol


def occ(root: str, day: date, option_type: OptionType, strike: str) -> OccSymbol:
    return OccSymbol(root, day, option_type, Decimal(strike))


def rejection(text: object) -> str:
    with pytest.raises(InvalidOccSymbol) as raised:
        parse_occ_symbol(text)  # type: ignore[arg-type]
    assert raised.value.text is text or raised.value.text == text
    return str(raised.value)


# What is accepted


def test_a_compact_symbol_is_root_date_type_and_strike_in_thousandths() -> None:
    assert parse_occ_symbol("SPY240119C00450000") == occ(
        "SPY", date(2024, 1, 19), OptionType.CALL, "450"
    )


def test_the_21_character_form_pads_the_root_with_spaces_to_six() -> None:
    padded = "SPY   240119P00450000"
    assert len(padded) == 21
    assert parse_occ_symbol(padded) == occ("SPY", date(2024, 1, 19), OptionType.PUT, "450")


def test_both_spellings_of_one_contract_parse_to_the_same_symbol() -> None:
    assert parse_occ_symbol("AAPL1 240119C00150000") == parse_occ_symbol("AAPL1240119C00150000")


def test_a_six_character_root_has_one_spelling() -> None:
    parsed = parse_occ_symbol("ABCDE1240119C00150000")
    assert parsed.root == "ABCDE1"
    assert parsed.format() == parsed.format(padded=True) == "ABCDE1240119C00150000"


def test_a_one_character_root_is_a_root() -> None:
    assert parse_occ_symbol("F240119C00012500").root == "F"
    assert parse_occ_symbol("F     240119C00012500").root == "F"


def test_spxw_is_its_own_root_not_spx() -> None:
    spxw = parse_occ_symbol("SPXW240119P04500000")
    spx = parse_occ_symbol("SPX240119P04500000")
    assert spxw.root == "SPXW"
    assert spx.root == "SPX"
    assert spxw != spx
    assert spxw[1:] == spx[1:]


def test_an_adjusted_root_keeps_its_digit() -> None:
    assert parse_occ_symbol("AAPL1240119C00150000").root == "AAPL1"
    assert parse_occ_symbol("BRKB240119C00350000").root == "BRKB"


def test_feb_29_is_a_date_in_a_leap_year() -> None:
    assert parse_occ_symbol("SPY240229C00450000").expiration == date(2024, 2, 29)
    assert parse_occ_symbol("SPY000229C00450000").expiration == date(2000, 2, 29)


def test_feb_29_is_not_a_date_in_other_years() -> None:
    message = rejection("SPY230229C00450000")
    assert "'SPY230229C00450000'" in message
    assert "expiration '230229' is not a date" in message


def test_the_year_is_20yy() -> None:
    assert parse_occ_symbol("SPY991231C00450000").expiration == date(2099, 12, 31)
    assert parse_occ_symbol("SPY000101C00450000").expiration == date(2000, 1, 1)


@pytest.mark.parametrize(
    ("digits", "strike"),
    [
        ("00000500", "0.5"),
        ("00000001", "0.001"),
        ("99999999", "99999.999"),
        ("00002010", "2.01"),
        ("00001005", "1.005"),
        ("00012500", "12.5"),
    ],
)
def test_the_strike_is_the_eight_digits_divided_by_1000_exactly(digits: str, strike: str) -> None:
    parsed = parse_occ_symbol(f"SPY240119C{digits}")
    assert isinstance(parsed.strike, Decimal)
    assert parsed.strike == Decimal(strike)
    assert str(parsed.strike) == strike


def test_a_whole_strike_is_spelled_without_decimals() -> None:
    assert str(parse_occ_symbol("SPY240119C00450000").strike) == "450"


def test_the_strike_does_not_depend_on_the_callers_decimal_context() -> None:
    strict = decimal.Context(prec=3, traps=[decimal.Inexact, decimal.Rounded])
    with decimal.localcontext(strict):
        assert parse_occ_symbol("SPY240119C99999998").strike == Decimal("99999.998")
    assert parse_occ_symbol("SPY240119C99999999").strike == Decimal("99999.999")


# Formatting


def test_str_is_the_compact_form() -> None:
    assert str(parse_occ_symbol("SPY   240119C00450000")) == "SPY240119C00450000"


def test_format_writes_compact_by_default_and_21_characters_padded() -> None:
    symbol = occ("SPY", date(2024, 1, 19), OptionType.CALL, "450")
    assert symbol.format() == "SPY240119C00450000"
    assert symbol.format(padded=True) == "SPY   240119C00450000"
    assert len(symbol.format(padded=True)) == 21


@pytest.mark.parametrize(
    ("strike", "digits"),
    [("2.01", "00002010"), ("1.005", "00001005"), ("0.001", "00000001"), ("99999.999", "99999999")],
)
def test_format_never_truncates_a_strike(strike: str, digits: str) -> None:
    symbol = occ("X", date(2024, 1, 19), OptionType.PUT, strike)
    assert symbol.format() == f"X240119P{digits}"


def test_format_does_not_depend_on_the_callers_decimal_context() -> None:
    symbol = occ("SPY", date(2024, 1, 19), OptionType.CALL, "12345.678")
    with decimal.localcontext(prec=6):
        assert symbol.format() == "SPY240119C12345678"


@pytest.mark.parametrize(
    "strike",
    ["0", "-1", "100000", "0.0005", "2.0100000000000000000000000000001", "NaN", "Infinity"],
)
def test_format_refuses_a_strike_that_eight_digits_of_thousandths_cannot_hold(strike: str) -> None:
    with pytest.raises(InvalidOccSymbol, match="cannot be written in eight digits"):
        occ("SPY", date(2024, 1, 19), OptionType.CALL, strike).format()


def test_create_validates_its_parts() -> None:
    created = OccSymbol.create("SPXW", date(2024, 1, 19), "put", "4500.000")
    assert created == occ("SPXW", date(2024, 1, 19), OptionType.PUT, "4500")
    with pytest.raises(InvalidOccSymbol, match="root 'spy' must be upper case"):
        OccSymbol.create("spy", date(2024, 1, 19), "call", 450)
    with pytest.raises(InvalidOccSymbol, match="cannot be written in eight digits"):
        OccSymbol.create("SPY", date(2024, 1, 19), "call", Decimal.from_float(2.01))


# What is rejected, and what the message says


def test_a_lowercase_root_is_rejected() -> None:
    message = rejection("spy240119C00450000")
    assert "'spy240119C00450000'" in message
    assert "root 'spy' must be upper case" in message


def test_a_lowercase_type_letter_is_rejected() -> None:
    assert "option type 'c' must be C or P" in rejection("SPY240119c00450000")


def test_a_type_letter_other_than_c_or_p_is_rejected() -> None:
    assert "option type 'X' must be C or P" in rejection("SPY240119X00450000")


def test_a_stray_space_in_a_compact_symbol_is_rejected() -> None:
    message = rejection("SPY 240119C00450000")
    assert "'SPY 240119C00450000'" in message
    assert "stray whitespace" in message


def test_padding_that_does_not_make_21_characters_is_rejected() -> None:
    assert "only the 21-character form pads" in rejection("SPY  240119C00450000")
    assert "only the 21-character form pads" in rejection("SPY    240119C00450000")


def test_a_space_inside_the_root_is_rejected() -> None:
    assert "stray whitespace in the root" in rejection("SP Y  240119C00450000")


@pytest.mark.parametrize(
    "text", [" SPY240119C00450000", "SPY240119C00450000 ", "SPY240119C00450000\n", "\tSPY   "]
)
def test_leading_or_trailing_whitespace_is_rejected(text: str) -> None:
    message = rejection(text)
    assert repr(text) in message
    assert "leading or trailing whitespace" in message


def test_a_tab_for_padding_is_rejected() -> None:
    assert "must be letters and digits" in rejection("SPY\t\t\t240119C00450000")


def test_a_seven_character_root_is_rejected() -> None:
    message = rejection("ABCDEFG240119C00450000")
    assert "'ABCDEFG240119C00450000'" in message
    assert "root 'ABCDEFG' has 7 characters, at most 6" in message


def test_a_root_starting_with_a_digit_is_rejected() -> None:
    assert "starting with a letter" in rejection("1SPY240119C00450000")


def test_punctuation_in_the_root_is_rejected() -> None:
    assert "root 'BRK/B' must be letters and digits" in rejection("BRK/B240119C00450000")


@pytest.mark.parametrize(
    "text",
    [
        "SPY\u0662\u0664\u0660\u0661\u0661\u0669C00450000",  # Arabic-Indic digits
        "SPY240119C\uff10\uff10\uff14\uff15\uff10\uff10\uff10\uff10",  # full-width digits
        "SPY240119C0045000\u0665",
        "\u0405PY240119C00450000",  # a Cyrillic letter that looks like S
    ],
)
def test_non_ascii_characters_are_rejected_even_where_python_calls_them_digits(text: str) -> None:
    message = rejection(text)
    assert "non-ASCII characters" in message
    assert repr(text)[:20] in message


def test_month_13_is_rejected() -> None:
    message = rejection("SPY241319C00450000")
    assert "'SPY241319C00450000'" in message
    assert "expiration '241319' is not a date" in message
    assert "month" in message


def test_day_zero_is_rejected() -> None:
    assert "expiration '240100' is not a date" in rejection("SPY240100C00450000")


def test_a_nine_digit_strike_is_rejected() -> None:
    message = rejection("SPY240119C004500000")
    assert "'SPY240119C004500000'" in message
    assert "strike '004500000' has 9 digits, expected 8" in message


def test_a_seven_digit_strike_is_rejected() -> None:
    assert "strike '0450000' has 7 digits, expected 8" in rejection("SPY240119C0450000")


def test_a_strike_with_a_decimal_point_is_rejected() -> None:
    assert "strike '00450.00' must be eight digits" in rejection("SPY240119C00450.00")


def test_a_zero_strike_is_rejected() -> None:
    assert "strike must be greater than zero" in rejection("SPY240119C00000000")


@pytest.mark.parametrize("ticker", ["AAPL", "SPY", "BRK/B", "A"])
def test_a_plain_ticker_is_rejected(ticker: str) -> None:
    message = rejection(ticker)
    assert repr(ticker) in message
    assert "is it a stock ticker?" in message


def test_trailing_text_after_the_strike_is_rejected() -> None:
    message = rejection("SPY240119C00450000X")
    assert "'SPY240119C00450000X'" in message
    assert "unexpected text 'X' after the strike" in message


def test_a_missing_root_is_rejected() -> None:
    assert "the root is missing" in rejection("240119C00450000")


def test_the_empty_string_is_rejected() -> None:
    assert rejection("") == "invalid OCC option symbol '': it is empty"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (None, "NoneType"),
        (b"SPY240119C00450000", "bytes"),
        (240119, "int"),
        (450.0, "float"),
        (["SPY240119C00450000"], "list"),
        (parse_occ_symbol("SPY240119C00450000"), "OccSymbol"),
    ],
)
def test_anything_but_a_str_is_rejected(value: object, kind: str) -> None:
    assert f"expected a str, got {kind}" in rejection(value)


def test_an_input_that_cannot_be_shown_is_still_rejected_with_invalid_occ_symbol() -> None:
    class Unprintable:
        def __repr__(self) -> str:
            raise RuntimeError("no repr for you")

    assert "<Unprintable object>: expected a str" in rejection(Unprintable())
    assert "<int object>: expected a str, got int" in rejection(10**5000)  # repr() refuses


def test_an_object_pretending_to_be_a_str_is_rejected() -> None:
    class Impostor:
        @property  # type: ignore[misc]
        def __class__(self) -> type:
            return str

    assert "expected a str, got Impostor" in rejection(Impostor())


def test_a_str_subclass_is_read_as_its_text_whatever_it_overrides() -> None:
    class Hostile(str):
        def __getitem__(self, index: object) -> str:
            raise KeyError(index)

        def __len__(self) -> int:
            raise OverflowError

        def isascii(self) -> bool:
            raise RuntimeError

    assert parse_occ_symbol(Hostile("SPY240119C00450000")) == parse_occ_symbol("SPY240119C00450000")
    assert "root 'spy' must be upper case" in rejection(Hostile("spy240119C00450000"))


def test_a_long_input_is_shortened_in_the_message() -> None:
    message = rejection("SPY240119C00450000" * 1000)
    assert len(message) < 200
    assert "..." in message


def test_the_error_is_a_value_error_carrying_the_input_and_the_reason() -> None:
    with pytest.raises(ValueError, match="invalid OCC option symbol") as raised:
        parse_occ_symbol("SPY240119C0045000")
    assert isinstance(raised.value, InvalidOccSymbol)
    assert raised.value.text == "SPY240119C0045000"
    assert raised.value.reason == "strike '0045000' has 7 digits, expected 8"


# What is remembered


def test_a_rejection_is_not_remembered_and_a_valid_symbol_is_parsed_once() -> None:
    rejection("SPY  240119C004500000")  # 21 characters, but the strike has nine digits
    assert "stray whitespace" in rejection("SPY  240119C00450000")
    assert parse_occ_symbol("SPY240119C00451000") is parse_occ_symbol("SPY240119C00451000")


@pytest.mark.parametrize(
    "parts",
    [
        ("SPY", "2024-01-19", "call", "450"),
        ("SPY", date(2024, 1, 19), "straddle", "450"),
        ("SPY", date(2024, 1, 19), "call", "four fifty"),
        ("SPY", date(2024, 1, 19), "call", "450.0001"),
        ("spy", date(2024, 1, 19), "call", "450"),
    ],
)
def test_create_refuses_bad_parts_with_the_parsers_error(parts: tuple[object, ...]) -> None:
    with pytest.raises(InvalidOccSymbol):
        OccSymbol.create(*parts)  # type: ignore[arg-type]

"""The store's text of a Decimal: plain, shortest, and the same for equal values."""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, Inexact, Rounded, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legsync.domain import canonical_decimal

finite = st.decimals(allow_nan=False, allow_infinity=False)
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("450.000", "450"),
        ("4.5E+2", "450"),
        ("155.50", "155.5"),
        ("0.00", "0"),
        ("-0", "0"),
        ("-0E-8", "0"),
        ("1E-7", "0.0000001"),
        ("-2.010", "-2.01"),
        ("99999.999", "99999.999"),
        ("1E+30", "1000000000000000000000000000000"),
    ],
)
def test_examples(value: str, text: str) -> None:
    assert canonical_decimal(Decimal(value)) == text


@given(finite)
def test_the_text_is_plain_and_reads_back_as_the_same_value(value: Decimal) -> None:
    text = canonical_decimal(value)
    assert "E" not in text
    assert "e" not in text
    assert Decimal(text) == value
    assert text == format(value.normalize(EXACT), "f") or (value == 0 and text == "0")


@given(finite, st.integers(min_value=0, max_value=12))
def test_equal_values_give_equal_text(value: Decimal, zeros: int) -> None:
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    padded = Decimal((sign, (*digits, *(0,) * zeros), exponent - zeros))
    assert padded == value
    assert canonical_decimal(padded) == canonical_decimal(value)


def test_more_digits_than_the_default_context_keeps_are_kept() -> None:
    """100 / 3 in the sync's 34-digit money context: the default context would round it to 28
    digits, and the stored cost would never again equal the broker's."""
    third = Decimal("33.33333333333333333333333333333333")
    assert canonical_decimal(third) == "33.33333333333333333333333333333333"


@pytest.mark.parametrize(
    "value", ["4.5E+2", "1E-7", "450.000", "-0E-8", "33.33333333333333333333333333333333"]
)
def test_the_text_does_not_depend_on_the_callers_decimal_context(value: str) -> None:
    """A caller's context that writes a lowercase exponent, keeps three digits and traps
    inexact results must not change the text: it is the store's key of a strike."""
    expected = canonical_decimal(Decimal(value))
    caller = Context(prec=3, capitals=0, traps=[Inexact, Rounded])
    with localcontext(caller):
        assert canonical_decimal(Decimal(value)) == expected


class _Shouting(Decimal):
    def __str__(self) -> str:
        return "LOUD"


def test_a_decimal_subclass_is_written_by_its_value_not_by_its_own_str() -> None:
    assert canonical_decimal(_Shouting("2.50")) == "2.5"

"""OCC option symbols: the one identifier every other part of legsync leans on.

Two spellings are accepted and nothing else: Tradier's compact form (``SPY240119C00450000``)
and the 21-character OSI form whose root is padded with spaces to six characters
(``SPY   240119C00450000``). The parser reads from the right, since the root's length varies,
and every rejection explains exactly what is wrong.

Strikes are computed in a private decimal context, so a caller's context (a low precision, a
trapped ``Inexact``) can never round a strike.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Context, Decimal
from functools import lru_cache
from typing import NamedTuple

from .enums import OptionType

__all__ = ["STRIKE_SCALE", "InvalidOccSymbol", "OccSymbol", "parse_occ_symbol"]

STRIKE_SCALE = 1000
"""An OCC strike is written as the strike times 1000, in eight digits."""

_MAX_STRIKE_UNITS = 99_999_999
_PADDED_LENGTH = 21
_MAX_ROOT_LENGTH = 6
_SHOWN_INPUT = 40
_REMEMBERED_SYMBOLS = 16_384
"""How many parsed symbols :func:`parse_occ_symbol` keeps (see there): the contracts of an account
of ten thousand legs, a few megabytes at most."""

# Every strike fits in eight digits, far below this context's 28: its arithmetic is exact.
_EXACT = Context()
_THOUSAND = Decimal(STRIKE_SCALE)
_MAX_STRIKE = _EXACT.divide(Decimal(_MAX_STRIKE_UNITS), _THOUSAND)
_STRIKE_STEP = _EXACT.divide(Decimal(1), _THOUSAND)
# Splits any text into the four parts a symbol would have, so that each can be judged alone.
_SHAPE = re.compile(
    r"(?P<head>.*?)(?P<ymd>[0-9]{6})(?P<letter>[A-Za-z])(?P<strike>.*)", re.DOTALL | re.ASCII
)
_TYPES = {"C": OptionType.CALL, "P": OptionType.PUT}


class InvalidOccSymbol(ValueError):
    """A text is not an OCC option symbol; the message names the input and what is wrong."""

    def __init__(self, text: object, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"invalid OCC option symbol {_show(text)}: {reason}")


class OccSymbol(NamedTuple):
    """One option contract as the OCC names it.

    A named tuple (ADR 0003): immutable, hashable, ordered as its parts, and unpacked as
    ``root, expiration, option_type, strike``. Construct it directly only from trusted parts;
    :meth:`create` validates them.
    """

    root: str
    expiration: date
    option_type: OptionType
    strike: Decimal

    @classmethod
    def create(
        cls, root: str, expiration: date, option_type: OptionType | str, strike: Decimal | str | int
    ) -> OccSymbol:
        """Build a symbol from parts, validating them by a round trip through the parser.

        Raises :class:`InvalidOccSymbol` for any part that cannot make a symbol.
        """
        if not isinstance(root, str) or not isinstance(expiration, date):
            raise InvalidOccSymbol(
                root, f"root must be a str and expiration a date, got {expiration!r}"
            )
        try:
            kind = OptionType(option_type)
            price = Decimal(strike)
        except (ValueError, TypeError, ArithmeticError):
            raise InvalidOccSymbol(
                root,
                f"option type {option_type!r} and strike {strike!r} must be call/put and a number",
            ) from None
        return parse_occ_symbol(cls(root, expiration, kind, price).format())

    def format(self, padded: bool = False) -> str:
        """The compact symbol, or with ``padded`` the 21-character OSI form.

        The strike is scaled exactly: 2.01 becomes ``00002010``, never ``00002009``.
        """
        units = _strike_units(self.strike)
        if units is None:
            raise InvalidOccSymbol(
                self.root, f"strike {self.strike} cannot be written in eight digits of 1/1000"
            )
        if not 2000 <= self.expiration.year <= 2099:
            raise InvalidOccSymbol(self.root, f"expiration {self.expiration} is outside 2000-2099")
        root = self.root.ljust(_MAX_ROOT_LENGTH) if padded else self.root
        return f"{root}{self.expiration:%y%m%d}{self.option_type.letter}{units:08d}"

    def __str__(self) -> str:
        return self.format()


def _strike_units(strike: object) -> int | None:
    """The strike in thousandths, or None unless that is exact and fits in eight digits.

    Computed in :data:`_EXACT`, whatever the caller's context: multiplying in a context of six
    digits would quietly turn 12345.678 into 12345700 thousandths, a different contract.
    """
    if not (isinstance(strike, Decimal) and strike.is_finite() and 0 < strike <= _MAX_STRIKE):
        return None
    thousandths = strike.quantize(_STRIKE_STEP, context=_EXACT)  # at most 8 digits: exact
    if thousandths != strike:
        return None
    return int(thousandths.scaleb(3, _EXACT))


def parse_occ_symbol(text: str) -> OccSymbol:
    """Parse a compact or 21-character padded OCC symbol, or raise :class:`InvalidOccSymbol`.

    A sync parses every broker row's symbol and every stored leg's, the same few hundred texts
    on every cycle, so the symbols of exact ``str`` inputs are remembered (a bounded LRU): the
    second parse of a text is a lookup. Rejections are never remembered, and a ``str``
    subclass, which may hash and compare as it likes, is always parsed afresh from its text.
    """
    if type(text) is str:
        return _parse_remembered(text)
    return _parse(text)


@lru_cache(maxsize=_REMEMBERED_SYMBOLS)
def _parse_remembered(text: str) -> OccSymbol:
    return _parse(text)


def _parse(text: object) -> OccSymbol:
    """Validate every part and return the symbol, or say what is wrong."""
    if type(text) is not str:
        if not issubclass(type(text), str):  # type(), not isinstance(): __class__ can lie
            raise InvalidOccSymbol(text, f"expected a str, got {type(text).__name__}")
        text = str.__str__(text)  # a plain copy, whatever methods the subclass overrides
    if not text:
        raise InvalidOccSymbol(text, "it is empty")
    if not text.isascii():
        raise InvalidOccSymbol(text, "it contains non-ASCII characters")
    if text != text.strip():
        raise InvalidOccSymbol(text, "it has leading or trailing whitespace")
    shape = _SHAPE.fullmatch(text)
    if shape is None:
        raise InvalidOccSymbol(
            text, "expected a root, YYMMDD, C or P and 8 strike digits (is it a stock ticker?)"
        )
    head, ymd, letter, digits = shape.group("head", "ymd", "letter", "strike")
    root = _root(text, head)
    if letter not in _TYPES:
        raise InvalidOccSymbol(text, f"option type {letter!r} must be C or P")
    if not digits.isdigit():
        leading = len(digits) - len(digits.lstrip("0123456789"))
        if leading >= 8:
            raise InvalidOccSymbol(text, f"unexpected text {_show(digits[8:])} after the strike")
        raise InvalidOccSymbol(text, f"strike {_show(digits)} must be eight digits")
    if len(digits) != 8:
        raise InvalidOccSymbol(text, f"strike {_show(digits)} has {len(digits)} digits, expected 8")
    return OccSymbol(root, _expiration(text, ymd), _TYPES[letter], _strike(text, digits))


def _root(text: str, head: str) -> str:
    root = head.rstrip(" ")
    if root != head and len(text) != _PADDED_LENGTH:
        raise InvalidOccSymbol(
            text, "stray whitespace: only the 21-character form pads its root with spaces"
        )
    if not root:
        raise InvalidOccSymbol(
            text, "the root is missing: expected 1 to 6 characters before YYMMDD"
        )
    if " " in root:
        raise InvalidOccSymbol(text, "stray whitespace in the root")
    if len(root) > _MAX_ROOT_LENGTH:
        raise InvalidOccSymbol(
            text, f"root {_show(root)} has {len(root)} characters, at most {_MAX_ROOT_LENGTH}"
        )
    if not (root.isalnum() and root[0].isalpha()):
        raise InvalidOccSymbol(
            text, f"root {_show(root)} must be letters and digits, starting with a letter"
        )
    if not root.isupper():
        raise InvalidOccSymbol(text, f"root {_show(root)} must be upper case")
    return root


def _expiration(text: str, ymd: str) -> date:
    try:
        return date(2000 + int(ymd[:2]), int(ymd[2:4]), int(ymd[4:]))
    except ValueError as error:
        raise InvalidOccSymbol(text, f"expiration {ymd!r} is not a date: {error}") from None


def _strike(text: str, digits: str) -> Decimal:
    units = int(digits)
    if units == 0:
        raise InvalidOccSymbol(text, "strike must be greater than zero")
    return _EXACT.divide(Decimal(units), _THOUSAND)  # 450, 2.01, 0.5: the shortest exact form


def _show(text: object) -> str:
    """The input for a message, short, and never an error of its own.

    ``repr`` may raise (an int of more than 4300 digits, a broken ``__repr__``): the error about
    the input must still be an :class:`InvalidOccSymbol`.
    """
    if type(text) is str:
        shown = repr(text[: _SHOWN_INPUT + 1])  # no need to copy a huge input to show 40 chars
    else:
        try:
            shown = repr(text)
        except Exception:
            shown = f"<{type(text).__name__} object>"
    return shown if len(shown) <= _SHOWN_INPUT else f"{shown[: _SHOWN_INPUT - 3]}..."

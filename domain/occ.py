"""OCC option symbols: the one identifier every other part of legsync leans on.

Two spellings are accepted and nothing else: Tradier's compact form (``SPY240119C00450000``)
and the 21-character OSI form whose root is padded with spaces to six characters
(``SPY   240119C00450000``). The parser reads from the right, since the root's length varies.

The parser is on the hot path of every sync (one call per broker row), so the accepting path is
written with plain ``str`` methods and two small caches instead of a regular expression; the
rejecting path is slow on purpose and explains exactly what is wrong.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from .enums import OptionType

__all__ = ["STRIKE_SCALE", "InvalidOccSymbol", "OccSymbol", "parse_occ_symbol"]

STRIKE_SCALE = 1000
"""An OCC strike is written as the strike times 1000, in eight digits."""

_MAX_STRIKE_UNITS = 99_999_999
_PADDED_LENGTH = 21
_MAX_ROOT_LENGTH = 6
_SHOWN_INPUT = 40
_CACHE_LIMIT = 1 << 16

_THOUSAND = Decimal(STRIKE_SCALE)
# Used only to explain a rejection: splits any text into the four parts a symbol would have.
_SHAPE = re.compile(
    r"(?P<head>.*?)(?P<ymd>[0-9]{6})(?P<letter>[A-Za-z])(?P<strike>.*)", re.DOTALL | re.ASCII
)
_TYPES = {"C": OptionType.CALL, "P": OptionType.PUT}

# Caches of the parts that repeat across symbols: expirations and strikes are few compared with
# the symbols built from them. Only valid parts are ever stored, so a hit is also a validation.
# The expiration is cached together with the type letter ("240119C"): one lookup, not two.
_expirations: dict[str, tuple[date, OptionType]] = {}
_strikes: dict[str, Decimal] = {}


class InvalidOccSymbol(ValueError):
    """A text is not an OCC option symbol; the message names the input and what is wrong."""

    def __init__(self, text: object, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"invalid OCC option symbol {_show(text)}: {reason}")


class OccSymbol(NamedTuple):
    """One option contract as the OCC names it.

    A named tuple rather than a dataclass: it is created once per broker row on the sync's hot
    path, and a tuple is built several times faster while being just as immutable and hashable.
    Construct it directly only from trusted parts; :meth:`create` validates them.
    """

    root: str
    expiration: date
    option_type: OptionType
    strike: Decimal

    @classmethod
    def create(
        cls, root: str, expiration: date, option_type: OptionType | str, strike: Decimal | str | int
    ) -> OccSymbol:
        """Build a symbol from parts, validating them by a round trip through the parser."""
        candidate = cls(root, expiration, OptionType(option_type), Decimal(strike))
        return parse_occ_symbol(candidate.format())

    def format(self, padded: bool = False) -> str:
        """The compact symbol, or with ``padded`` the 21-character OSI form.

        The strike is scaled exactly: 2.01 becomes ``00002010``, never ``00002009``.
        """
        units = self.strike * STRIKE_SCALE
        if (
            not isinstance(self.strike, Decimal)
            or units != units.to_integral_value()
            or not 0 < units <= _MAX_STRIKE_UNITS
        ):
            raise InvalidOccSymbol(
                self.root, f"strike {self.strike} cannot be written in eight digits of 1/1000"
            )
        if not 2000 <= self.expiration.year <= 2099:
            raise InvalidOccSymbol(self.root, f"expiration {self.expiration} is outside 2000-2099")
        root = self.root.ljust(_MAX_ROOT_LENGTH) if padded else self.root
        return f"{root}{self.expiration:%y%m%d}{self.option_type.letter}{int(units):08d}"

    def __str__(self) -> str:
        return self.format()


def parse_occ_symbol(text: str) -> OccSymbol:
    """Parse a compact or 21-character padded OCC symbol, or raise :class:`InvalidOccSymbol`."""
    if type(text) is str and 16 <= len(text) <= _PADDED_LENGTH and text.isascii():
        root = text[:-15].rstrip(" ") if len(text) == _PADDED_LENGTH else text[:-15]
        expiration = _expirations.get(text[-15:-8])
        strike = _strikes.get(text[-8:])
        if (
            expiration is not None
            and strike is not None
            and root.isalnum()
            and root.isupper()
            and root[0].isalpha()
        ):
            return tuple.__new__(OccSymbol, (root, *expiration, strike))
    return _parse_slowly(text)


def _parse_slowly(text: object) -> OccSymbol:
    """Validate every part, fill the caches, and either return the symbol or say what is wrong."""
    if not isinstance(text, str):
        raise InvalidOccSymbol(text, f"expected a str, got {type(text).__name__}")
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
            raise InvalidOccSymbol(text, f"unexpected text {digits[8:]!r} after the strike")
        raise InvalidOccSymbol(text, f"strike {digits!r} must be eight digits")
    if len(digits) != 8:
        raise InvalidOccSymbol(text, f"strike {digits!r} has {len(digits)} digits, expected 8")
    expiration = _expiration(text, ymd, letter)
    strike = _strike(text, digits)
    return tuple.__new__(OccSymbol, (root, expiration, _TYPES[letter], strike))


def _root(text: str, head: str) -> str:
    root = head.rstrip(" ")
    if root != head and len(text) != _PADDED_LENGTH:
        raise InvalidOccSymbol(
            text, "stray whitespace: only the 21-character form pads its root with spaces"
        )
    if " " in root or not root:
        raise InvalidOccSymbol(text, "stray whitespace in the root")
    if len(root) > _MAX_ROOT_LENGTH:
        raise InvalidOccSymbol(
            text, f"root {root!r} has {len(root)} characters, at most {_MAX_ROOT_LENGTH}"
        )
    if not (root.isalnum() and root[0].isalpha()):
        raise InvalidOccSymbol(
            text, f"root {root!r} must be letters and digits, starting with a letter"
        )
    if not root.isupper():
        raise InvalidOccSymbol(text, f"root {root!r} must be upper case")
    return root


def _expiration(text: str, ymd: str, letter: str) -> date:
    try:
        expiration = date(2000 + int(ymd[:2]), int(ymd[2:4]), int(ymd[4:]))
    except ValueError as error:
        raise InvalidOccSymbol(text, f"expiration {ymd!r} is not a date: {error}") from None
    if len(_expirations) < _CACHE_LIMIT:
        _expirations[ymd + letter] = (expiration, _TYPES[letter])
    return expiration


def _strike(text: str, digits: str) -> Decimal:
    units = int(digits)
    if units == 0:
        raise InvalidOccSymbol(text, "strike must be greater than zero")
    strike = Decimal(units) / _THOUSAND  # exact: the quotient has at most three decimals
    if len(_strikes) < _CACHE_LIMIT:
        _strikes[digits] = strike
    return strike


def _show(text: object) -> str:
    shown = repr(text)
    return shown if len(shown) <= _SHOWN_INPUT else f"{shown[: _SHOWN_INPUT - 3]}..."

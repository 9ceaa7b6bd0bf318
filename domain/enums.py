"""Closed sets of the domain, as enums whose values are what the store and the wire carry."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


class Side(StrEnum):
    """Which way a leg is held. The broker says it by the sign of the quantity."""

    LONG = "long"
    SHORT = "short"

    @classmethod
    def from_signed_quantity(cls, quantity: Decimal | int) -> Side:
        """Long for a positive quantity, short otherwise (zero is rejected before this)."""
        return cls.LONG if quantity > 0 else cls.SHORT

    @property
    def sign(self) -> int:
        return 1 if self is Side.LONG else -1


class OptionType(StrEnum):
    CALL = "call"
    PUT = "put"

    @property
    def letter(self) -> str:
        """The OCC symbol's letter: C or P."""
        return "C" if self is OptionType.CALL else "P"


class Origin(StrEnum):
    """Who brought a trade into being; imported trades start unmanaged."""

    ENGINE = "ENGINE"
    IMPORTED = "IMPORTED"
    MANUAL = "MANUAL"


class TradeStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"

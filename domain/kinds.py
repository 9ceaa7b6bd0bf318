"""The names of option structures, and which of them open for a credit or a debit.

Names are the field's usual ones in ``snake_case``: the strategies QuantConnect Lean defines
(its "short iron condor" is the debit one, called ``reverse_iron_condor`` here as traders
say), plus diagonals, broken-wing butterflies and jade lizards.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CREDIT_KINDS", "DEBIT_KINDS", "StructureKind"]


class StructureKind(StrEnum):
    """The field's usual names of option strategies (QuantConnect Lean's definitions, plus
    diagonals, broken-wing butterflies and jade lizards). ``custom`` is a set of legs whose
    risk only makes sense as a whole."""

    LONG_CALL = "long_call"
    SHORT_CALL = "short_call"
    LONG_PUT = "long_put"
    SHORT_PUT = "short_put"
    LONG_STOCK = "long_stock"
    SHORT_STOCK = "short_stock"
    COVERED_CALL = "covered_call"
    COVERED_PUT = "covered_put"
    PROTECTIVE_CALL = "protective_call"
    PROTECTIVE_PUT = "protective_put"
    COLLAR = "collar"
    CONVERSION = "conversion"
    REVERSE_CONVERSION = "reverse_conversion"
    BULL_CALL_SPREAD = "bull_call_spread"
    BEAR_CALL_SPREAD = "bear_call_spread"
    BULL_PUT_SPREAD = "bull_put_spread"
    BEAR_PUT_SPREAD = "bear_put_spread"
    LONG_STRADDLE = "long_straddle"
    SHORT_STRADDLE = "short_straddle"
    LONG_STRANGLE = "long_strangle"
    SHORT_STRANGLE = "short_strangle"
    LONG_CALL_BUTTERFLY = "long_call_butterfly"
    SHORT_CALL_BUTTERFLY = "short_call_butterfly"
    LONG_PUT_BUTTERFLY = "long_put_butterfly"
    SHORT_PUT_BUTTERFLY = "short_put_butterfly"
    BROKEN_WING_CALL_BUTTERFLY = "broken_wing_call_butterfly"
    BROKEN_WING_PUT_BUTTERFLY = "broken_wing_put_butterfly"
    IRON_CONDOR = "iron_condor"
    REVERSE_IRON_CONDOR = "reverse_iron_condor"
    IRON_BUTTERFLY = "iron_butterfly"
    REVERSE_IRON_BUTTERFLY = "reverse_iron_butterfly"
    LONG_BOX = "long_box"
    SHORT_BOX = "short_box"
    LONG_CALL_CALENDAR = "long_call_calendar"
    SHORT_CALL_CALENDAR = "short_call_calendar"
    LONG_PUT_CALENDAR = "long_put_calendar"
    SHORT_PUT_CALENDAR = "short_put_calendar"
    LONG_CALL_DIAGONAL = "long_call_diagonal"
    SHORT_CALL_DIAGONAL = "short_call_diagonal"
    LONG_PUT_DIAGONAL = "long_put_diagonal"
    SHORT_PUT_DIAGONAL = "short_put_diagonal"
    JELLY_ROLL = "jelly_roll"
    SHORT_JELLY_ROLL = "short_jelly_roll"
    BULL_CALL_LADDER = "bull_call_ladder"
    BEAR_CALL_LADDER = "bear_call_ladder"
    BULL_PUT_LADDER = "bull_put_ladder"
    BEAR_PUT_LADDER = "bear_put_ladder"
    CALL_BACKSPREAD = "call_backspread"
    PUT_BACKSPREAD = "put_backspread"
    SHORT_CALL_BACKSPREAD = "short_call_backspread"
    SHORT_PUT_BACKSPREAD = "short_put_backspread"
    JADE_LIZARD = "jade_lizard"
    CUSTOM = "custom"


_K = StructureKind

CREDIT_KINDS = frozenset(
    {
        _K.SHORT_CALL,
        _K.SHORT_PUT,
        _K.BULL_PUT_SPREAD,
        _K.BEAR_CALL_SPREAD,
        _K.SHORT_STRADDLE,
        _K.SHORT_STRANGLE,
        _K.SHORT_CALL_BUTTERFLY,
        _K.SHORT_PUT_BUTTERFLY,
        _K.IRON_CONDOR,
        _K.IRON_BUTTERFLY,
        _K.SHORT_BOX,
        _K.SHORT_CALL_CALENDAR,
        _K.SHORT_PUT_CALENDAR,
        _K.JADE_LIZARD,
    }
)
"""Kinds opened for a credit, whatever the prices: a positive entry price is received."""

DEBIT_KINDS = frozenset(
    {
        _K.LONG_CALL,
        _K.LONG_PUT,
        _K.BULL_CALL_SPREAD,
        _K.BEAR_PUT_SPREAD,
        _K.LONG_STRADDLE,
        _K.LONG_STRANGLE,
        _K.LONG_CALL_BUTTERFLY,
        _K.LONG_PUT_BUTTERFLY,
        _K.REVERSE_IRON_CONDOR,
        _K.REVERSE_IRON_BUTTERFLY,
        _K.LONG_BOX,
        _K.LONG_CALL_CALENDAR,
        _K.LONG_PUT_CALENDAR,
    }
)
"""Kinds opened for a debit, whatever the prices. Kinds in neither set (ratio spreads,
ladders, diagonals, stock strategies, broken wings) can go either way: only the legs' cost
basis says which."""

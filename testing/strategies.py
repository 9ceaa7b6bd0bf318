"""Hypothesis strategies for OCC option symbols, for anyone property-testing code that takes them.

Code that consumes legsync's legs (an engine's exit logic, a report, a store adapter) should hold
for every contract the parser can return, not only for ``SPY240119C00450000``. These strategies
generate exactly that set: every valid root, date and strike, with the awkward cases (leap days,
the smallest and largest strikes, digits in roots, six-character roots) drawn often enough to
matter, and realistic contracts weighted in so that failures shrink to something recognisable.

They need hypothesis, which legsync's runtime does not: install the ``[test]`` extra, and import
this module from tests only (nothing else in legsync imports it)::

    from hypothesis import given
    from legsync.testing.strategies import occ_symbol_strings, occ_symbols

    @given(occ_symbols())
    def test_my_exit_logic_takes_any_contract(occ): ...
"""

from __future__ import annotations

import string
from datetime import date
from decimal import Context, Decimal

from hypothesis import strategies as st

from legsync.domain import OccSymbol, OptionType
from legsync.domain.occ import STRIKE_SCALE

__all__ = ["occ_symbol_strings", "occ_symbols"]

_FIRST_DAY = date(2000, 1, 1)
_LAST_DAY = date(2099, 12, 31)
_MAX_STRIKE_UNITS = 99_999_999

REALISTIC_ROOTS = (
    "SPY", "SPX", "SPXW", "QQQ", "IWM", "NDX", "NDXP", "RUT", "RUTW", "VIX", "VIXW", "XSP", "AAPL",
    "AAPL1", "MSFT", "AMZN", "GOOGL", "TSLA", "NVDA", "META", "BRKB", "JPM", "F", "T", "GLD",
    "TLT", "SPY7", "AMZN1", "XLF", "UVXY",
)  # fmt: skip
"""Roots seen in real accounts: index weeklies (SPXW, RUTW, NDXP), adjusted contracts whose root
carries a digit (AAPL1, SPY7), BRKB for BRK/B, one-letter tickers (F, T)."""

_LEAP_DAYS = tuple(date(year, 2, 29) for year in range(2000, 2100, 4))

_EXACT = Context()  # strikes have at most eight digits: division in this context is exact


def _strike(units: int) -> Decimal:
    """The strike of ``units`` thousandths, spelled as the parser spells it (450, not 450.000).

    Equal Decimals compare and hash equal whatever their exponent, but a user's snapshot test or
    a stored text would see the difference; generating the parser's spelling avoids surprises.
    """
    return _EXACT.divide(Decimal(units), Decimal(STRIKE_SCALE))


def _roots() -> st.SearchStrategy[str]:
    anything = st.builds(
        str.__add__,
        st.sampled_from(string.ascii_uppercase),
        st.text(alphabet=string.ascii_uppercase + string.digits, max_size=5),
    )
    return st.one_of(st.sampled_from(REALISTIC_ROOTS), anything)


def _expirations() -> st.SearchStrategy[date]:
    return st.one_of(
        st.dates(min_value=_FIRST_DAY, max_value=_LAST_DAY),
        st.sampled_from(_LEAP_DAYS),  # plain dates() rarely lands on Feb 29
        st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    )


def _strike_units() -> st.SearchStrategy[int]:
    """Thousandths of a dollar: any of them, and the grids exchanges list, and the extremes."""
    return st.one_of(
        st.integers(min_value=1, max_value=_MAX_STRIKE_UNITS),
        st.integers(min_value=1, max_value=2_000).map(lambda n: n * 500),  # 0.5 steps
        st.integers(min_value=1, max_value=2_000).map(lambda n: n * 1_000),  # whole dollars
        st.integers(min_value=1, max_value=4_000).map(lambda n: n * 2_500),  # 2.5 steps
        st.integers(min_value=1, max_value=8_000).map(lambda n: n * 5_000),  # index strikes
        # 0.001, 0.5, 1.005 and 2.01 (floats get the last two wrong), the largest strike
        st.sampled_from((1, 500, 1_005, 2_010, _MAX_STRIKE_UNITS)),
    )


def occ_symbols() -> st.SearchStrategy[OccSymbol]:
    """Valid contracts: every one is accepted by the parser and formats back to itself.

    Roots are 1 to 6 of A-Z and 0-9 starting with a letter, expirations any existing date in
    2000-2099 (leap days included), strikes any multiple of 0.001 from 0.001 to 99999.999.
    """
    return st.builds(
        OccSymbol,
        root=_roots(),
        expiration=_expirations(),
        option_type=st.sampled_from(OptionType),
        strike=_strike_units().map(_strike),
    )


def occ_symbol_strings(padded: bool | None = False) -> st.SearchStrategy[str]:
    """Valid symbols as text: compact (the default), the 21-character padded form, or either.

    ``padded=None`` draws both spellings, as a reader of mixed sources would meet them.
    """
    if padded is None:
        return st.builds(OccSymbol.format, occ_symbols(), st.booleans())
    return occ_symbols().map(lambda occ: occ.format(padded=padded))

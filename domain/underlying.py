"""Which underlying an OCC root trades on.

Roots are not underlyings: SPXW and SPX both settle on SPX, an adjusted contract after a
corporate action gets a root with a trailing digit (AAPL1), and mini contracts do the same
(SPY7). The mirror stores the underlying in ``symbol`` so that "all SPX legs" is one query.
"""

from __future__ import annotations

__all__ = ["has_standard_deliverable", "underlying_for_root", "underlying_of_text"]

# Weekly, PM-settled and class roots whose underlying has another ticker.
_ROOT_UNDERLYINGS = {
    "SPXW": "SPX",
    "SPXPM": "SPX",
    "RUTW": "RUT",
    "NDXP": "NDX",
    "VIXW": "VIX",
    "XSPW": "XSP",
    "BRKB": "BRK/B",
    "BRKA": "BRK/A",
}


def underlying_for_root(root: str) -> str:
    """The underlying symbol for an OCC root: SPXW -> SPX, AAPL1 -> AAPL, BRKB -> BRK/B."""
    stem = root.rstrip("0123456789") or root
    return _ROOT_UNDERLYINGS.get(stem, stem)


def underlying_of_text(symbol: str) -> str:
    """The underlying a person means by a root or a ticker typed in any case: ``spxw`` and
    ``SPX`` both mean SPX. Raises ValueError for an empty one."""
    text = symbol.strip().upper()
    if not text:
        raise ValueError("a symbol is needed, got an empty one")
    return underlying_for_root(text)


def has_standard_deliverable(root: str) -> bool:
    """Whether a root is a standard contract (100 shares of its underlying). Adjusted and mini
    contracts get a root ending in a digit (AAPL1, SPY7); their deliverable is not known here,
    so nothing may assume it is 100 shares."""
    return not root[-1:].isdigit()

"""The symbols the benchmarks parse and sync, and the parser they are measured against.

``make_symbols`` draws distinct, realistic contracts (about 300 roots, three years of weekday
expirations, strike grids whose step grows with the price), shuffled as a broker sends them.
``parse_with_regex`` is the baseline: what one writes with the standard library alone, about as
fast as the fastest published Python OCC parser we know.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from legsync.domain.enums import OptionType
from legsync.domain.occ import OccSymbol

SYMBOLS = 100_000
SEED = 20240119

# Real roots (index weeklies and PM-settled roots, adjusted AAPL1, BRKB for BRK/B) with a rough
# price, then made-up three- and four-letter roots so that there are a few hundred of them.
REAL_ROOTS = {
    "SPY": 450, "SPX": 4500, "SPXW": 4500, "QQQ": 380, "IWM": 190, "DIA": 350, "NDX": 15000,
    "NDXP": 15000, "RUT": 1900, "RUTW": 1900, "VIX": 15, "VXX": 16, "UVXY": 9, "AAPL": 185,
    "AAPL1": 185, "MSFT": 370, "AMZN": 150, "GOOGL": 140, "GOOG": 140, "META": 350, "TSLA": 240,
    "NVDA": 480, "AMD": 140, "NFLX": 480, "BRKB": 360, "JPM": 170, "BAC": 33, "XLF": 37,
    "XLE": 85, "GLD": 190, "SLV": 21, "TLT": 95, "HYG": 77, "EEM": 40, "F": 12, "T": 17,
    "C": 50, "KO": 59, "PFE": 29, "INTC": 47, "SPY7": 450, "SMH": 170, "ARKK": 50, "COIN": 150,
}  # fmt: skip
MADE_UP_ROOTS = 250


def make_symbols(count: int = SYMBOLS, seed: int = SEED) -> list[OccSymbol]:
    """Distinct, realistic contracts, in no useful order.

    Expirations fall on weekdays, mostly Fridays; strike steps grow with the root's price.
    """
    rng = random.Random(seed)
    prices: dict[str, float] = dict(REAL_ROOTS)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    while len(prices) < len(REAL_ROOTS) + MADE_UP_ROOTS:
        root = "".join(rng.choice(letters) for _ in range(rng.choice((3, 4))))
        prices.setdefault(root, round(rng.lognormvariate(4, 1.2), 2))
    roots = sorted(prices)
    first_friday = date(2024, 1, 5)
    fridays = [first_friday + timedelta(weeks=week) for week in range(3 * 52)]
    grids = {root: _strike_grid(prices[root]) for root in roots}
    chosen: set[OccSymbol] = set()
    while len(chosen) < count:
        root = rng.choice(roots)
        expiration = rng.choice(fridays) - timedelta(days=rng.choice((0, 0, 0, 1, 2, 3, 4)))
        option_type = rng.choice((OptionType.CALL, OptionType.PUT))
        chosen.add(OccSymbol(root, expiration, option_type, rng.choice(grids[root])))
    symbols = sorted(chosen)
    rng.shuffle(symbols)  # a broker's rows come in no useful order
    return symbols


def _strike_grid(price: float) -> list[Decimal]:
    """Eighty-one strikes around the price, a step apart, as listed exchanges space them."""
    steps = ((25, "0.5"), (200, "1"), (500, "2.5"), (2000, "5"), (float("inf"), "25"))
    step = Decimal(next(step for limit, step in steps if price < limit))
    middle = (Decimal(str(price)) / step).to_integral_value() * step
    grid = (middle + step * offset for offset in range(-40, 41))
    return [strike for strike in grid if strike > 0]


# The baseline: what one would write with the standard library alone.
_OCC = re.compile(
    r"(?=.{16,21}\Z)([A-Z][A-Z0-9]{0,5}) *([0-9]{2})([0-9]{2})([0-9]{2})([CP])([0-9]{8})", re.ASCII
)
_TYPE_OF_LETTER = {"C": OptionType.CALL, "P": OptionType.PUT}


def parse_with_regex(text: str) -> OccSymbol:
    """A straightforward regex parser with the same outputs (and far looser padding rules)."""
    match = _OCC.fullmatch(text)
    if match is None:
        raise ValueError(f"not an OCC symbol: {text!r}")
    root, year, month, day, letter, strike = match.groups()
    return OccSymbol(
        root,
        date(2000 + int(year), int(month), int(day)),
        _TYPE_OF_LETTER[letter],
        Decimal(int(strike)) / 1000,
    )


def ns_per_symbol(
    parse: Callable[[str], object], texts: Sequence[str], repeats: int
) -> list[float]:
    """Nanoseconds per text of each pass of ``for text in texts: parse(text)``."""
    per_pass = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        for text in texts:
            parse(text)
        per_pass.append((time.perf_counter_ns() - start) / len(texts))
    return per_pass

"""How fast legsync parses OCC option symbols, next to a plain stdlib regex parser.

Run it as a script, not a test: ``python benchmarks/bench_parser.py [--json] [--repeats N]``.

Every sync parses one symbol per broker row, so the parser's accepting path is the figure that
matters. The benchmark parses 100,000 *distinct* realistic symbols (many roots, three years of
expirations, strike grids around a price), so no result can come from a cache of whole symbols;
what repeats is only what repeats in real accounts: roots, expirations and strikes.

Figures are nanoseconds per symbol for one pass over the list, the min and the median of several
passes. The "floor" row is the same loop calling a function that does nothing: it is the part of
every figure that is not parsing. Machines here are shared and noisy, so compare the ratios
measured in one run rather than absolute figures from different runs.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal

import legsync.domain.occ as occ
from legsync.domain.enums import OptionType
from legsync.domain.occ import OccSymbol, parse_occ_symbol

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


def do_nothing(text: str) -> str:
    return text


def time_loop(function: Callable[[str], object], texts: Sequence[str], repeats: int) -> list[float]:
    """Nanoseconds per text of each pass of ``for text in texts: function(text)``."""
    per_pass = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter_ns()
        for text in texts:
            function(text)
        per_pass.append((time.perf_counter_ns() - start) / len(texts))
    return per_pass


def clear_caches() -> None:
    for name in ("_roots", "_expirations", "_strikes"):
        cache = getattr(occ, name, None)
        if isinstance(cache, dict):
            cache.clear()


def run(repeats: int) -> dict[str, object]:
    symbols = make_symbols()
    compact = [symbol.format() for symbol in symbols]
    padded = [symbol.format(padded=True) for symbol in symbols]
    assert len(set(compact)) == len(compact) == SYMBOLS, "symbols must be distinct"
    for texts in (compact, padded):
        assert [parse_occ_symbol(text) for text in texts] == symbols, "legsync disagrees"
        assert [parse_with_regex(text) for text in texts] == symbols, "the baseline disagrees"

    clear_caches()  # one pass from empty caches: every new part goes through the strict path
    cold = time_loop(parse_occ_symbol, compact, 1)[0]
    rows = {
        "floor (call a no-op)": time_loop(do_nothing, compact, repeats),
        "legsync, compact": time_loop(parse_occ_symbol, compact, repeats),
        "legsync, padded": time_loop(parse_occ_symbol, padded, repeats),
        "regex, compact": time_loop(parse_with_regex, compact, repeats),
        "regex, padded": time_loop(parse_with_regex, padded, repeats),
    }
    figures = {
        name: {"min_ns": min(passes), "median_ns": statistics.median(passes)}
        for name, passes in rows.items()
    }
    figures["legsync, compact, first pass"] = {"min_ns": cold, "median_ns": cold}
    return {
        "symbols": SYMBOLS,
        "repeats": repeats,
        "python": platform.python_version(),
        "machine": _machine(),
        "figures": figures,
        "speedup_vs_regex": {
            form: figures[f"regex, {form}"]["median_ns"] / figures[f"legsync, {form}"]["median_ns"]
            for form in ("compact", "padded")
        },
    }


def _machine() -> str:
    """The CPU model where Linux tells it, so that figures from two machines are told apart."""
    model = platform.processor() or "unknown cpu"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            names = [
                line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")
            ]
    except OSError:
        names = []
    return f"{platform.machine()}, {names[0] if names else model}, {os.cpu_count()} cpus"


def print_table(result: dict[str, object]) -> None:
    figures = result["figures"]
    assert isinstance(figures, dict)
    print(f"{result['symbols']:,} distinct symbols, {result['repeats']} passes, ns per symbol")
    print(f"Python {result['python']} on {result['machine']}")
    print()
    print(f"{'':32} {'min':>8} {'median':>8}")
    for name, figure in figures.items():
        print(f"{name:32} {figure['min_ns']:8.0f} {figure['median_ns']:8.0f}")
    print()
    speedups = result["speedup_vs_regex"]
    assert isinstance(speedups, dict)
    for form, ratio in speedups.items():
        print(f"legsync is {ratio:.2f}x the speed of the regex parser on {form} symbols (medians)")
    print("the first pass starts from empty caches; every later pass finds each part cached")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--repeats", type=int, default=7, help="passes per row (default 7)")
    arguments = parser.parse_args(argv)
    result = run(arguments.repeats)
    if arguments.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())

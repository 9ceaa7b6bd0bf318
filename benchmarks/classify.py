"""How the classifier's search grows with the legs of one root: ``python -m benchmarks.classify``.

An engine's book is the hard case: N iron condors on one underlying and one expiration, whose
legs also form every crossing condor, so the search has about N^4 candidate sets to rank. The
figure to watch is the ratio between sizes (time at 2N / time at N), not the milliseconds.
Not part of ``python -m benchmarks``: classification has no floor to stand beside.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

from legsync.domain.classification import classify
from legsync.domain.kinds import StructureKind
from legsync.domain.legs import OptionLeg
from legsync.testing import leg


def condors(count: int) -> list[OptionLeg]:
    """``count`` 1-lot iron condors on SPY, 5 wide, their strikes 10 apart."""
    legs = []
    for n in range(count):
        low = 200 + 10 * n
        for strike, kind, quantity in ((low, "P", 1), (low + 5, "P", -1),
                                       (low + 400, "C", -1), (low + 405, "C", 1)):  # fmt: skip
            legs.append(leg(f"SPY270115{kind}{strike * 1000:08d}", quantity, cost="100"))
    return legs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.classify")
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 10, 20, 40])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    previous = None
    for size in args.sizes:
        book = condors(size)
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            structures = classify(book)
            times.append(time.perf_counter() - started)
        assert [s.kind for s in structures] == [StructureKind.IRON_CONDOR] * size
        median = statistics.median(times)
        growth = "" if previous is None else f"  x{median / previous:.1f}"
        print(f"{size:4d} condors ({len(book):4d} legs)  {median * 1000:9.1f} ms{growth}")
        previous = median
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Run legsync's benchmarks: every figure next to its floor, measured in the same run.

    python -m benchmarks                 # 1,000, 10,000 and 100,000 legs (a few minutes)
    python -m benchmarks --smoke         # 1,000 legs, three repetitions: what CI runs
    python -m benchmarks --json out.json # also save every sample

The exit status is 0 whatever the ratios (these machines are shared and noisy: a smoke run
checks that the harness runs, not the targets); ``--check`` makes a missed target exit 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from statistics import median

from benchmarks.parser import make_symbols, ns_per_symbol, parse_with_regex
from benchmarks.sync import Figure, sqlite_urls, sync_figures
from legsync.domain import parse_occ_symbol
from legsync.domain.occ import _parse as parse_afresh

__all__ = ["main"]

SIZES = (1_000, 10_000, 100_000)
TARGET_SIZE = 10_000
TARGETS = {"first sync": 3.0, "no-change resync": 2.0}
"""At 10,000 legs, legsync's median over its floor's (issue 17)."""
PARSER_TARGET = 0.5
"""legsync's parser at least twice the speed of the regex baseline (issue 17)."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="1,000 legs, 3 repetitions")
    parser.add_argument("--sizes", metavar="N,N", help="legs per sync (default 1000,10000,100000)")
    parser.add_argument("--repeats", type=int, default=7, help="repetitions (default 7)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--json", metavar="PATH", type=Path, help="save every sample as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.sizes.split(",")] if args.sizes else list(SIZES)
    repeats = args.repeats
    if args.smoke:
        sizes, repeats = [min(sizes)], 3

    print(_machine())
    parser_rows = _parser_rows(10_000 if args.smoke else 100_000, repeats)
    figures = sync_figures("SQLite", *sqlite_urls(), sizes, repeats)
    if not args.no_postgres:
        figures += _postgres_figures(sizes, repeats)

    print("\n| parser, ns per symbol | legsync | regex baseline | ratio |")
    print("| --- | ---: | ---: | ---: |")
    for name, (ours, theirs) in parser_rows.items():
        print(f"| {name} | {median(ours):,.0f} | {median(theirs):,.0f} | {_ratio(ours, theirs)} |")
    print("\n| database | scenario | legs | legsync ms | floor ms | ratio | |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for f in figures:
        print(
            f"| {f.database} | {f.scenario} | {f.size:,} | {median(f.legsync) * 1000:,.1f} |"
            f" {median(f.floor) * 1000:,.1f} | {f.ratio:.2f}x | {f.note} |"
        )
    missed = _judge(figures, parser_rows)
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": _machine(),
                    "parser": parser_rows,
                    "syncs": [f.__dict__ for f in figures],
                    "missed": missed,
                },
                indent=2,
            )
        )
    return 1 if args.check and missed else 0


def _parser_rows(count: int, repeats: int) -> dict[str, tuple[list[float], list[float]]]:
    """First sight (every symbol parsed afresh) and an account parsed again, against the
    regex baseline, on ``count`` distinct symbols."""
    symbols = make_symbols(count)
    texts = [symbol.format() for symbol in symbols]
    assert [parse_occ_symbol(t) for t in texts] == [parse_with_regex(t) for t in texts] == symbols
    baseline = ns_per_symbol(parse_with_regex, texts, repeats)
    account = texts[:1_000]  # a large real account, parsed again each sync
    for text in account:
        parse_occ_symbol(text)
    return {
        f"first sight, {count:,} distinct symbols": (
            ns_per_symbol(parse_afresh, texts, repeats),
            baseline,
        ),
        "an account's 1,000 symbols parsed again": (
            ns_per_symbol(parse_occ_symbol, account, repeats * 10),
            ns_per_symbol(parse_with_regex, account, repeats * 10),
        ),
    }


def _postgres_figures(sizes: list[int], repeats: int) -> list[Figure]:
    try:
        from tests.support.postgres import PostgresUnavailable, postgres_server
    except ImportError:
        print("PostgreSQL not measured: run from a clone, with the test extras")
        return []
    try:
        with postgres_server() as server:
            url, floor_url = server.create_database(), server.create_database()
            try:
                return sync_figures("PostgreSQL", url, floor_url, sizes, repeats)
            finally:
                server.drop_database(url)
                server.drop_database(floor_url)
    except PostgresUnavailable as unavailable:
        if os.environ.get("CI"):
            raise
        print(f"PostgreSQL not measured: {unavailable}")
        return []


def _judge(
    figures: list[Figure], parser_rows: dict[str, tuple[list[float], list[float]]]
) -> list[str]:
    missed = []
    print("\nTargets:")
    for f in figures:
        if f.size == TARGET_SIZE:
            limit = TARGETS[f.scenario]
            holds = f.ratio <= limit and not f.note.startswith("WROTE")
            print(
                f"- {f.database} {f.scenario}, {f.size:,} legs: {f.ratio:.2f}x (<= {limit}x)"
                f" {'holds' if holds else 'MISSED'}"
            )
            if not holds:
                missed.append(f"{f.database} {f.scenario}")
    for name, (ours, theirs) in parser_rows.items():
        ratio = median(ours) / median(theirs)
        holds = ratio <= PARSER_TARGET
        print(
            f"- parser, {name}: {ratio:.2f}x the baseline's time (<= {PARSER_TARGET}x)"
            f" {'holds' if holds else 'MISSED'}"
        )
        if not holds:
            missed.append(f"parser, {name}")
    return missed


def _ratio(ours: list[float], theirs: list[float]) -> str:
    return f"{median(ours) / median(theirs):.2f}x"


def _machine() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(
                (line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), ""
            )
    except OSError:
        model = platform.processor()
    return (
        f"{model or 'unknown CPU'}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, SQLite "
        f"{sqlite3.sqlite_version}; load average {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    sys.exit(main())

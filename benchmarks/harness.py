"""Timing, figures, checks and the machine description shared by every benchmark.

A *figure* is one thing legsync does, timed next to its *floor*: the least work that could
produce the same result with the bare tools (the raw database driver, httpx and ``json``, the
interpreter importing the libraries). Both are timed in the same run, interleaved repetition by
repetition, so that a burst of load from another job hits both; the figure that counts is the
ratio of their medians. A *check* is a target from issue 8 and whether this run met it.
"""

from __future__ import annotations

import gc
import os
import platform
import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "Check",
    "Figure",
    "Timed",
    "floor_interval_note",
    "interleaved",
    "interleaved_counts",
    "interval_note",
    "machine",
    "ratio_interval",
    "stopwatch",
]

Timed = Callable[[], float]
"""One repetition: prepares what it needs untimed, returns the seconds of the timed part."""


@dataclass
class Figure:
    """legsync's samples and its floor's, in one unit (ms, ns/symbol, MB)."""

    section: str
    name: str
    size: int | None
    unit: str
    samples: list[float]
    floor_name: str | None = None
    floor_samples: list[float] | None = None
    note: str = ""

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def floor_min(self) -> float | None:
        return min(self.floor_samples) if self.floor_samples else None

    @property
    def floor_median(self) -> float | None:
        return statistics.median(self.floor_samples) if self.floor_samples else None

    @property
    def ratio(self) -> float | None:
        """legsync's median over its floor's median: the figure the targets are judged on."""
        floor = self.floor_median
        return self.median / floor if floor else None

    @property
    def ratio_of_mins(self) -> float | None:
        floor = self.floor_min
        return self.min / floor if floor else None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            min=self.min,
            median=self.median,
            floor_min=self.floor_min,
            floor_median=self.floor_median,
            ratio=self.ratio,
            ratio_of_mins=self.ratio_of_mins,
        )
        return data


@dataclass
class Check:
    """One target: ``value`` must not exceed ``limit`` (or, with ``strict``, stay below it)."""

    target: str
    value: float | None
    limit: float
    unit: str = "x"
    detail: str = ""
    strict: bool = False
    extra_ok: bool = True
    """A condition beyond the number (e.g. "zero rows written"); the check fails without it."""
    skipped: str = ""

    @property
    def holds(self) -> bool | None:
        if self.skipped or self.value is None:
            return None
        within = self.value < self.limit if self.strict else self.value <= self.limit
        return within and self.extra_ok

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["holds"] = self.holds
        return data


@dataclass
class Section:
    """What one benchmark produced."""

    figures: list[Figure] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)


_RESAMPLES = 2000
"""Bootstrap resamples per interval: enough for stable 5% and 95% points, ~10 ms each."""


def ratio_interval(
    numerator: Sequence[float], denominator: Sequence[float], level: float = 0.9
) -> tuple[float, float]:
    """How precisely one run knows ``median(numerator) / median(denominator)``: the central
    ``level`` of that ratio over bootstrap resamples of each side's samples (seeded, so a run's
    report is reproducible from its samples).

    Reported beside a target's figure, never judged: with five samples at 100,000 legs on a
    shared host, a growth of 10.9x could as well be 9x or 13x, and the report should say so.
    """
    draw = random.Random(0).choices
    ratios = sorted(
        statistics.median(draw(numerator, k=len(numerator)))
        / statistics.median(draw(denominator, k=len(denominator)))
        for _ in range(_RESAMPLES)
    )
    cut = int(_RESAMPLES * (1 - level) / 2)
    return ratios[cut], ratios[-cut - 1]


def interval_note(numerator: Sequence[float], denominator: Sequence[float]) -> str:
    low, high = ratio_interval(numerator, denominator)
    return f"90% bootstrap interval of this run's figure {low:.2f}x to {high:.2f}x"


def floor_interval_note(figure: Figure) -> str:
    """:func:`interval_note` of a figure's ratio to its floor."""
    if not figure.floor_samples:
        raise ValueError(f"{figure.name} has no floor to be a ratio of")
    return interval_note(figure.samples, figure.floor_samples)


def stopwatch(action: Callable[[], object]) -> float:
    """Seconds ``action`` takes."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def interleaved(
    runners: Mapping[str, Timed], repeats: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Run every runner ``repeats`` times, taking turns, and collect each one's seconds.

    The order alternates between repetitions (ABC, CBA, ...), so neither side always runs
    right after the other. A full collection before each timed part keeps one runner's garbage
    from being collected on another's clock.
    """
    names = list(runners)
    for _ in range(warmup):
        for name in names:
            gc.collect()
            runners[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for repeat in range(repeats):
        for name in names if repeat % 2 == 0 else reversed(names):
            gc.collect()
            samples[name].append(runners[name]())
    return samples


def interleaved_counts(
    runners: Mapping[str, tuple[Timed, int]], warmup: int = 1
) -> dict[str, list[float]]:
    """Like :func:`interleaved`, but each runner runs its own number of times, spread evenly
    over the same rounds: figures of different sizes are then measured side by side too, so a
    burst of load on the machine falls on all of them, not on one size's block.
    """
    names = list(runners)
    for _ in range(warmup):
        for name in names:
            gc.collect()
            runners[name][0]()
    rounds = max(count for _, count in runners.values())
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        order = names if round_ % 2 == 0 else list(reversed(names))
        for name in order:
            run, count = runners[name]
            # Run in this round when the even spread of `count` runs over `rounds` crosses
            # an integer: every runner runs exactly `count` times.
            if (round_ + 1) * count // rounds > round_ * count // rounds:
                gc.collect()
                samples[name].append(run())
    return samples


def machine() -> dict[str, Any]:
    """Where the figures were measured: CPU, cores, load, Python and library versions."""
    model = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions: dict[str, str] = {}
    from importlib.metadata import PackageNotFoundError, version

    for package in ("sqlalchemy", "psycopg", "httpx", "pydantic", "dependency-injector"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "libraries": versions,
    }

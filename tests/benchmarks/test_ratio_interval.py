"""The precision the benchmark report puts beside a target's figure."""

from __future__ import annotations

import statistics

import pytest

from benchmarks.harness import Figure, floor_interval_note, interval_note, ratio_interval


def test_samples_that_do_not_vary_give_the_figure_itself() -> None:
    assert ratio_interval([12.0] * 5, [1.2] * 9) == (10.0, 10.0)


def test_the_interval_holds_the_figure_and_widens_with_the_noise() -> None:
    steady = [100.0, 101.0, 99.0, 100.5, 99.5]
    noisy = [80.0, 130.0, 100.0, 95.0, 120.0]
    floor = [10.0, 10.1, 9.9, 10.0, 10.05, 9.95, 10.0, 10.02, 9.98]
    low, high = ratio_interval(noisy, floor)
    assert low <= statistics.median(noisy) / statistics.median(floor) <= high
    steady_low, steady_high = ratio_interval(steady, floor)
    assert high - low > 5 * (steady_high - steady_low)


def test_the_same_samples_give_the_same_report() -> None:
    samples, floor = [3.0, 3.5, 2.8, 4.1, 3.3], [1.0, 1.2, 0.9]
    assert interval_note(samples, floor) == interval_note(samples, floor)
    assert interval_note(samples, floor).startswith("90% bootstrap interval")


def test_a_figure_is_reported_against_its_floor_and_one_without_a_floor_says_so() -> None:
    timed = Figure("SQLite", "first sync", 1000, "ms", [20.0] * 3, "INSERT", [10.0] * 3)
    assert floor_interval_note(timed) == interval_note([20.0] * 3, [10.0] * 3)
    alone = Figure("peak memory", "first sync", 1000, "MB", [140.0])
    with pytest.raises(ValueError, match="first sync has no floor"):
        floor_interval_note(alone)

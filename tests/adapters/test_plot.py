"""Payoff diagrams: a PNG of the promised size, not blank, whose drawn line is the payoff."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from legsync.adapters.plot import PIXELS, PayoffPicture, write_payoff_png
from legsync.domain.classification import classify
from legsync.domain.payoff import payoff_at, payoff_points
from legsync.domain.risk import premium_from_basis
from legsync.testing import leg
from tests.support.png import drawn_payoff


def test_the_diagram_shows_exactly_the_computed_payoff(tmp_path: Path) -> None:
    (spread,) = classify(
        [leg("SPY270319P00540000", -2, cost="592"), leg("SPY270319P00530000", 2, cost="431")]
    )
    credit = premium_from_basis(spread)
    assert credit == Decimal(322)
    points = payoff_points(spread, credit)
    path = tmp_path / "spy.png"
    write_payoff_png(
        PayoffPicture(
            "SPY bull put spread", points, (Decimal("538.39"),), "322", "1678", Decimal("560")
        ),
        path,
    )
    with Image.open(path) as image:
        assert image.size == PIXELS
        assert len(image.convert("L").getcolors(maxcolors=256 * 256) or ()) > 10, "blank"
        drawn = drawn_payoff(image)
    assert drawn == list(points)
    assert all(payoff_at(spread, x, credit) == y for x, y in points)


def test_a_diagram_needs_a_line(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least two points"):
        write_payoff_png(PayoffPicture("x", [], (), "-", "-"), tmp_path / "x.png")

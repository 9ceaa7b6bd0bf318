"""Payoff-at-expiry diagrams as PNG files, drawn by matplotlib's Agg backend.

matplotlib is an optional extra (``legsync[plot]``): the mirror never needs it, so it is
imported only when a diagram is asked for, and its absence is one clear error. The Agg backend
draws without a display and is selected per figure (no ``matplotlib.use``, no pyplot state),
so an embedding application's own plotting is untouched.

The points drawn are written into the PNG's text chunk ``legsync:payoff`` as JSON, so a reader
(and the tests) can check that the picture shows exactly the payoff that was computed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from legsync.domain import canonical_decimal

__all__ = ["PIXELS", "PayoffPicture", "PlotUnavailable", "require_matplotlib", "write_payoff_png"]

PIXELS = (960, 600)
"""Width and height of every diagram, in pixels."""

_DPI = 100


class PlotUnavailable(RuntimeError):
    """matplotlib is not installed: the message says how to install it."""


@dataclass(frozen=True, slots=True)
class PayoffPicture:
    """What one diagram shows: the payoff's breakpoints (price ascending, dollars), the
    breakevens, the labelled extremes (``None`` figures are shown as the text given in
    ``profit_text`` / ``loss_text``) and the underlying's last price when known."""

    title: str
    points: Sequence[tuple[Decimal, Decimal]]
    breakevens: Sequence[Decimal]
    profit_text: str
    loss_text: str
    last_price: Decimal | None = None


_INSTALL_HINT = "payoff diagrams need matplotlib: pip install 'legsync[plot]'"


def require_matplotlib() -> None:
    """Raise PlotUnavailable now, before anything is drawn, when matplotlib is missing (so a
    command asked for several diagrams fails before the first rather than after it)."""
    try:
        import matplotlib  # noqa: F401
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
        from matplotlib.figure import Figure  # noqa: F401
    except ImportError:
        raise PlotUnavailable(_INSTALL_HINT) from None


def write_payoff_png(picture: PayoffPicture, path: Path) -> None:
    """Draw ``picture`` into ``path`` (a PNG of :data:`PIXELS`). Raises PlotUnavailable without
    matplotlib, OSError when the file cannot be written."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotUnavailable(_INSTALL_HINT) from None
    if len(picture.points) < 2:
        raise ValueError("a payoff diagram needs at least two points")

    prices = [float(price) for price, _ in picture.points]
    payoffs = [float(payoff) for _, payoff in picture.points]
    figure = Figure(figsize=(PIXELS[0] / _DPI, PIXELS[1] / _DPI), dpi=_DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.axhline(0, color="#888888", linewidth=0.8)
    axes.plot(prices, payoffs, color="#1f4e9c", linewidth=2, label="payoff at expiry")
    axes.fill_between(
        prices,
        payoffs,
        0,
        where=[p >= 0 for p in payoffs],
        color="#2e8b57",
        alpha=0.15,
        interpolate=True,
    )
    axes.fill_between(
        prices,
        payoffs,
        0,
        where=[p < 0 for p in payoffs],
        color="#c0392b",
        alpha=0.15,
        interpolate=True,
    )
    for price in picture.breakevens:
        axes.axvline(float(price), color="#555555", linestyle=":", linewidth=1)
        axes.annotate(
            f"breakeven {canonical_decimal(price)}",
            (float(price), 0),
            rotation=90,
            fontsize=8,
            xytext=(3, 5),
            textcoords="offset points",
        )
    if picture.last_price is not None:
        axes.axvline(
            float(picture.last_price),
            color="#e67e22",
            linewidth=1.2,
            label=f"last {canonical_decimal(picture.last_price)}",
        )
    axes.set_title(picture.title)
    axes.set_xlabel("underlying price at expiry")
    axes.set_ylabel("profit / loss ($)")
    axes.text(
        0.01,
        0.98,
        f"max profit {picture.profit_text}\nmax loss {picture.loss_text}",
        transform=axes.transAxes,
        va="top",
        fontsize=9,
    )
    axes.legend(loc="best", fontsize=8)
    axes.grid(True, alpha=0.3)
    drawn = [
        [canonical_decimal(price), canonical_decimal(payoff)] for price, payoff in picture.points
    ]
    figure.savefig(
        path,
        format="png",
        dpi=_DPI,
        metadata={"legsync:payoff": json.dumps(drawn), "Software": "legsync"},
    )

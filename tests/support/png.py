"""Reading back what a payoff diagram drew: the points legsync writes into the PNG's
``legsync:payoff`` text chunk, as decimals."""

from __future__ import annotations

import json
from decimal import Decimal

from PIL import Image, PngImagePlugin


def drawn_payoff(image: Image.Image) -> list[tuple[Decimal, Decimal]]:
    """The (price, dollars) points the diagram in ``image`` was drawn through."""
    assert isinstance(image, PngImagePlugin.PngImageFile), f"not a PNG: {image.format}"
    return [(Decimal(x), Decimal(y)) for x, y in json.loads(image.text["legsync:payoff"])]

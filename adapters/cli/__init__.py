"""The ``legsync`` command. ``main`` is the console script; ``python -m legsync`` works too."""

from .main import main

__all__ = ["main"]

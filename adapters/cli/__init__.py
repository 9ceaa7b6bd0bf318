"""The ``legsync`` command. ``main`` is the console script; ``python -m legsync.adapters.cli``
works too.

Imports are lazy on purpose: ``legsync --help`` loads no database driver and no HTTP client,
and each command loads only what it uses.
"""

from .app import main

__all__ = ["main"]

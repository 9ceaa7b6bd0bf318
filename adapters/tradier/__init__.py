"""Tradier: the HTTP broker, the file broker that replays a saved answer, and their parser.

``TradierBroker`` serves positions (``BrokerPort``), marks (``QuotePort``) and the token's
accounts (``AccountDirectoryPort``); ``FileBroker`` serves positions from a saved response body.
Both read bodies through :mod:`legsync.adapters.tradier.wire`, so they accept and refuse
exactly the same things.
"""

from .broker import (
    PRODUCTION_BASE_URL,
    SANDBOX_BASE_URL,
    RetryPolicy,
    TradierBroker,
    TradierUnauthorized,
)
from .file_broker import EXAMPLE_POSITIONS, FileBroker, example_positions_path
from .pacing import RateLimiter
from .wire import WireError

__all__ = [
    "EXAMPLE_POSITIONS",
    "PRODUCTION_BASE_URL",
    "SANDBOX_BASE_URL",
    "FileBroker",
    "RateLimiter",
    "RetryPolicy",
    "TradierBroker",
    "TradierUnauthorized",
    "WireError",
    "example_positions_path",
]

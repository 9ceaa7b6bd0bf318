"""Tradier: the HTTP broker and its parser.

``TradierBroker`` serves positions (``BrokerPort``), marks (``QuotePort``) and the token's
accounts (``AccountDirectoryPort``), reading bodies through :mod:`legsync.adapters.tradier.wire`.
"""

from .broker import (
    PRODUCTION_BASE_URL,
    SANDBOX_BASE_URL,
    RetryPolicy,
    TradierBroker,
    TradierUnauthorized,
)
from .pacing import RateLimiter
from .wire import WireError

__all__ = [
    "PRODUCTION_BASE_URL",
    "SANDBOX_BASE_URL",
    "RateLimiter",
    "RetryPolicy",
    "TradierBroker",
    "TradierUnauthorized",
    "WireError",
]

"""Tradier: the HTTP broker, the file broker that replays a saved answer, and their parser.

``TradierBroker`` serves positions (``BrokerPort``), marks (``QuotePort``) and the token's
accounts (``AccountDirectoryPort``); ``FileBroker`` serves positions from a saved response body,
and ``FileQuotes`` marks from a saved quotes body. All read bodies through
:mod:`legsync.adapters.tradier.wire`, so they accept and refuse exactly the same things.
"""

from typing import TYPE_CHECKING, Any

from .endpoints import PRODUCTION_BASE_URL, SANDBOX_BASE_URL
from .file_broker import EXAMPLE_POSITIONS, FileBroker, example_positions_path
from .file_quotes import EXAMPLE_QUOTES, FileQuotes, example_quotes_path
from .pacing import RateLimiter
from .wire import WireError

if TYPE_CHECKING:
    from .broker import RetryPolicy, TradierBroker, TradierUnauthorized

# The HTTP broker loads httpx, stamina and pydantic; reading a saved file needs none of them,
# so its names are imported on first use.
_BROKER = frozenset({"RetryPolicy", "TradierBroker", "TradierUnauthorized"})


def __getattr__(name: str) -> Any:
    if name in _BROKER:
        from . import broker

        return getattr(broker, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EXAMPLE_POSITIONS",
    "EXAMPLE_QUOTES",
    "PRODUCTION_BASE_URL",
    "SANDBOX_BASE_URL",
    "FileBroker",
    "FileQuotes",
    "RateLimiter",
    "RetryPolicy",
    "TradierBroker",
    "TradierUnauthorized",
    "WireError",
    "example_positions_path",
    "example_quotes_path",
]

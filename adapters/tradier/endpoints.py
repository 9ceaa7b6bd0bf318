"""Where Tradier's API lives, and which base URLs legsync will send a token to.

Kept apart from the HTTP broker so that the settings can check a URL without loading httpx.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["PRODUCTION_BASE_URL", "SANDBOX_BASE_URL", "checked_base_url"]

PRODUCTION_BASE_URL = "https://api.tradier.com/v1"
SANDBOX_BASE_URL = "https://sandbox.tradier.com/v1"

_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def checked_base_url(url: str) -> str:
    """``url`` without a trailing slash, or ValueError: an http(s) URL with a host, no
    credentials, query or fragment, and plain http only to this machine (anywhere else it
    would send the token unencrypted)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(
            f"the Tradier base URL must be an http(s) URL with a host, including the version "
            f"path like .../v1, got {url!r}"
        )
    if parts.scheme == "http" and parts.hostname not in _LOCAL_HOSTS:
        raise ValueError(
            f"refusing plain http to {parts.hostname}: it would send the token unencrypted"
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("the Tradier base URL must not carry credentials, a query or a fragment")
    return url.rstrip("/")

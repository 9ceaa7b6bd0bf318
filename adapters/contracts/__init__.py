"""Deprecated: the contract suites live in :mod:`legsync.testing.contracts` now.

This package re-exports them for one release, with a ``DeprecationWarning``.
"""

import warnings

from legsync.testing.contracts import BrokerContract, StoreContract

warnings.warn(
    "legsync.adapters.contracts moved to legsync.testing.contracts; the old path goes away in "
    "the next release",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = ["BrokerContract", "StoreContract"]

"""One sync attempt, recorded so that "when did the last good sync happen" has an answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["SyncCounts", "SyncRun"]


@dataclass(frozen=True, slots=True)
class SyncCounts:
    """What one sync did to one account's legs and shares, and how many broker rows it could
    not use. ``skipped`` is 0 since stock is mirrored (kept: ``sync_runs`` has the column)."""

    opened: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: int = 0
    errors: int = 0
    stock_opened: int = 0
    stock_changed: int = 0
    stock_unchanged: int = 0
    stock_removed: int = 0

    @property
    def synced(self) -> int:
        """The legs the broker holds that the mirror now holds too."""
        return self.opened + self.changed + self.unchanged

    @property
    def stock_synced(self) -> int:
        """The stock positions the broker holds that the mirror now holds too."""
        return self.stock_opened + self.stock_changed + self.stock_unchanged


@dataclass(frozen=True, slots=True)
class SyncRun:
    """The outcome of one attempt to sync one account, successful or not.

    ``error`` is the first thing that went wrong: the failed read's reason, or the first row
    error of a sync that otherwise succeeded.
    """

    account_id: str
    started_at: datetime
    finished_at: datetime
    success: bool
    counts: SyncCounts = field(default_factory=SyncCounts)
    pruned: bool = False
    error: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        # Refused here, not first in the SQL store: the in-memory store would keep a naive time
        # that the SQL store refuses, and "when did the last good sync happen" would depend on
        # the machine's clock settings. Any aware time is an instant; the SQL store keeps it
        # in UTC.
        for name in ("started_at", "finished_at"):
            moment = getattr(self, name)
            if not isinstance(moment, datetime) or moment.utcoffset() is None:
                raise ValueError(f"{name} must be an aware datetime, got {moment!r}")

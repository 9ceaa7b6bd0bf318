"""One sync attempt, recorded so that "when did the last good sync happen" has an answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["SyncRun"]


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
    synced: int = 0
    opened: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: int = 0
    errors: int = 0
    pruned: bool = False
    error: str | None = None
    id: int | None = None

"""What one sync of one account did, in numbers a person or a program can act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from legsync.domain import PositionEvent, StockEvent, SyncCounts

__all__ = ["RowError", "SyncResult"]


@dataclass(frozen=True, slots=True)
class RowError:
    """A broker row the sync could not use, with the raw symbol and why."""

    symbol: str
    reason: str


@dataclass(frozen=True, slots=True)
class SyncResult:
    """The outcome of one sync of one account.

    ``success`` is False only when nothing was applied (a failed read, a failed store); a sync
    that applied the good rows but met bad ones succeeds with ``errors`` and ``pruned=False``.
    With ``dry_run`` the counts are the plan's, nothing was written, and ``events`` holds what
    a real sync would have published, in publishing order (``stock_events`` after them).
    """

    account_id: str
    success: bool
    started_at: datetime
    finished_at: datetime
    counts: SyncCounts = field(default_factory=SyncCounts)
    errors: tuple[RowError, ...] = ()
    pruned: bool = False
    prune_skipped_reason: str | None = None
    warnings: tuple[str, ...] = ()
    reason: str | None = None
    dry_run: bool = False
    events: tuple[PositionEvent, ...] = field(default=(), repr=False)
    stock_events: tuple[StockEvent, ...] = field(default=(), repr=False)

    @property
    def clean(self) -> bool:
        """Synced with no row errors: the mirror equals the broker's answer."""
        return self.success and not self.errors

    @property
    def first_error(self) -> str | None:
        if self.reason is not None:
            return self.reason
        if self.errors:
            return f"{self.errors[0].symbol}: {self.errors[0].reason}"
        return None

    def to_dict(self) -> dict[str, object]:
        """The result as plain JSON-ready data (the CLI's ``--json`` object)."""
        counts = self.counts
        return {
            "account_id": self.account_id,
            "success": self.success,
            "dry_run": self.dry_run,
            "synced": counts.synced,
            "opened": counts.opened,
            "changed": counts.changed,
            "unchanged": counts.unchanged,
            "removed": counts.removed,
            "skipped": counts.skipped,
            "stock_synced": counts.stock_synced,
            "stock_opened": counts.stock_opened,
            "stock_changed": counts.stock_changed,
            "stock_unchanged": counts.stock_unchanged,
            "stock_removed": counts.stock_removed,
            "pruned": self.pruned,
            "prune_skipped_reason": self.prune_skipped_reason,
            "errors": [{"symbol": e.symbol, "reason": e.reason} for e in self.errors],
            "warnings": list(self.warnings),
            "reason": self.reason,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
        }

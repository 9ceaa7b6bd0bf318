"""legsync's use cases: the sync, reconciliation, trades, and how their events are published."""

from .plan import SyncPlan, may_prune, plan_sync, read_row, read_stock_row
from .results import RowError, SyncResult
from .signals import (
    legsync_signals,
    position_removed,
    position_synced,
    publish,
    reconciliation_finding,
    stock_position_removed,
    stock_position_synced,
)
from .sync import SyncService

__all__ = [
    "RowError",
    "SyncPlan",
    "SyncResult",
    "SyncService",
    "legsync_signals",
    "may_prune",
    "plan_sync",
    "position_removed",
    "position_synced",
    "publish",
    "read_row",
    "read_stock_row",
    "reconciliation_finding",
    "stock_position_removed",
    "stock_position_synced",
]

"""legsync's use cases: the sync, reconciliation, and how their events are published."""

from .events import SyncEvents
from .plan import SyncPlan, cost_basis_per_contract, plan_sync
from .results import RowError, SyncResult
from .signals import legsync_signals, position_removed, position_synced, publish
from .sync import SyncService

__all__ = [
    "RowError",
    "SyncEvents",
    "SyncPlan",
    "SyncResult",
    "SyncService",
    "cost_basis_per_contract",
    "legsync_signals",
    "plan_sync",
    "position_removed",
    "position_synced",
    "publish",
]

"""How sync events travel: blinker signals in legsync's own namespace.

Published only after the store committed, so a receiver never hears of a change that was
rolled back. blinker calls receivers in no fixed order and stops at the first that raises;
legsync calls each receiver itself so that one failing receiver neither undoes the sync nor
silences the others. blinker holds receivers weakly: connect closures with ``weak=False``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from blinker import NamedSignal, Namespace

from legsync.domain import (
    PositionEvent,
    PositionRemoved,
    PositionSynced,
    ReconciliationFinding,
    StockEvent,
    StockPositionRemoved,
    StockPositionSynced,
)

__all__ = [
    "ReceiverFailure",
    "legsync_signals",
    "position_removed",
    "position_synced",
    "publish",
    "reconciliation_finding",
    "signal_for",
    "stock_position_removed",
    "stock_position_synced",
]

log = logging.getLogger("legsync.events")

legsync_signals = Namespace()
position_synced: NamedSignal = legsync_signals.signal(
    "position-synced", doc="A leg was opened or changed. Receivers take (sender, event)."
)
position_removed: NamedSignal = legsync_signals.signal(
    "position-removed", doc="A leg left the broker and the mirror. Receivers take (sender, event)."
)

reconciliation_finding: NamedSignal = legsync_signals.signal(
    "reconciliation-finding",
    doc="A check after a good sync found something (stale, phantom, over-claimed, unclaimed, ...)."
    " Receivers take (sender, event).",
)

stock_position_synced: NamedSignal = legsync_signals.signal(
    "stock-position-synced",
    doc="Shares were opened or changed. Receivers take (sender, event).",
)
stock_position_removed: NamedSignal = legsync_signals.signal(
    "stock-position-removed",
    doc="Shares left the broker and the mirror. Receivers take (sender, event).",
)

Event = PositionEvent | StockEvent | ReconciliationFinding


@dataclass(frozen=True, slots=True)
class ReceiverFailure:
    signal: str
    receiver: str
    error: str

    def __str__(self) -> str:
        return f"receiver {self.receiver} of {self.signal} failed: {self.error}"


def signal_for(event: Event) -> NamedSignal:
    if isinstance(event, ReconciliationFinding):
        return reconciliation_finding
    if isinstance(event, PositionSynced):
        return position_synced
    if isinstance(event, PositionRemoved):
        return position_removed
    if isinstance(event, StockPositionSynced):
        return stock_position_synced
    if isinstance(event, StockPositionRemoved):
        return stock_position_removed
    raise TypeError(f"not a legsync event: {event!r}")


def publish(sender: object, events: Iterable[Event]) -> list[ReceiverFailure]:
    """Send each event to every receiver; return the receivers that raised, logged."""
    failures: list[ReceiverFailure] = []
    if not any(signal.receivers for signal in legsync_signals.values()):
        return failures  # nobody listens: a first sync of 1,000 legs skips 1,000 lookups
    for event in events:
        signal = signal_for(event)
        if not signal.receivers:
            continue
        for receiver in list(signal.receivers_for(sender)):
            try:
                receiver(sender, event=event)
            except Exception as error:
                name = getattr(receiver, "__qualname__", repr(receiver))
                failure = ReceiverFailure(
                    signal.name or "?", name, f"{type(error).__name__}: {error}"
                )
                log.exception("%s", failure)
                failures.append(failure)
    return failures

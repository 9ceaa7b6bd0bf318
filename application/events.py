"""A sync's events, built when someone first looks at them.

A sync of N changed legs has N events. Most syncs are heard by nobody (no receiver connected,
``--events`` not given) and their results are never asked for events; building N event objects
for them cost a first sync of 1,000 legs 0.3 ms and kept 1,000 more objects alive for the
collector to walk (and a 100,000-leg sync about 6 MB). The events are fixed when the plan is:
the legs are immutable and the time is the plan's, so building them later gives the same ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import overload

from legsync.domain import PositionEvent

__all__ = ["SyncEvents"]


class SyncEvents(Sequence[PositionEvent]):
    """An immutable sequence of events, built on first use by ``build`` and kept.

    It compares equal to any sequence (a tuple, a list) holding the same events in the same
    order, so a result's ``events`` reads like the tuple it stands for.
    """

    __slots__ = ("_build", "_events")

    def __init__(self, build: Callable[[], tuple[PositionEvent, ...]]) -> None:
        self._build: Callable[[], tuple[PositionEvent, ...]] | None = build
        self._events: tuple[PositionEvent, ...] | None = None

    def _all(self) -> tuple[PositionEvent, ...]:
        events = self._events
        if events is None:
            build = self._build
            assert build is not None
            # Two threads may both build: they build equal tuples, and either one is kept.
            events = self._events = build()
            self._build = None
        return events

    @overload
    def __getitem__(self, index: int) -> PositionEvent: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[PositionEvent, ...]: ...
    def __getitem__(self, index: int | slice) -> PositionEvent | tuple[PositionEvent, ...]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[PositionEvent]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SyncEvents):
            return self._all() == other._all()
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return self._all() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return repr(self._all())

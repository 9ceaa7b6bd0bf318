"""Pausing Python's cyclic garbage collector around bulk work that makes no reference cycles.

A sync of N legs, or a broker body of N rows, allocates a few container objects per row (legs,
keys, symbols; decoded dicts and positions), none of them in a reference cycle. As they pile
up, the collector's collections traverse every live object again and again and find nothing:
at 100,000 legs that doubled a sync's time and made it grow faster than the number of legs.
Reference counting frees memory as usual meanwhile; cycles made elsewhere in the process wait
for the first collection after the pause.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The collector off inside the block, back on after it, exceptions included. If it was off
    already (the application's choice), it stays off. Pause only work that cannot block: no
    waits on locks or the network inside."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()

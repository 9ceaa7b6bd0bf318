"""The accounts the benchmarks sync: broker rows, their changed twin, and the floors' raw rows.

Symbols come from ``bench_parser.make_symbols``: distinct contracts over about 300 roots, three
years of expirations and realistic strike grids, in no useful order, as a broker sends them.
Quantities are 1 to 20 contracts, long or short; the cost basis is Tradier's signed total.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from benchmarks.parser import make_symbols
from legsync.adapters.sql.tables import POSITIONS
from legsync.application import plan_sync
from legsync.domain import BrokerPosition, BrokerSnapshot, OptionLeg, StoredLegs, canonical_decimal

__all__ = [
    "ACCOUNT",
    "COLUMNS",
    "broker_rows",
    "changed_rows",
    "floor_rows",
    "fresh_rows",
]

ACCOUNT = "VA000001"
SEED = 8

COLUMNS = tuple(column.name for column in POSITIONS.columns)
"""Every column of ``portfolio_positions``, in the order the floors insert them."""

_cache: dict[int, list[BrokerPosition]] = {}


def broker_rows(count: int) -> list[BrokerPosition]:
    """``count`` option rows of one account, the same for a given count in every run."""
    if count not in _cache:
        rng = random.Random(SEED * 1_000_003 + count)
        rows = []
        for occ in make_symbols(count, seed=SEED + count):
            contracts = rng.randint(1, 20)
            sign = rng.choice((1, -1))
            price_cents = rng.randint(5, 9000)  # 0.05 to 90.00 per share
            total = Decimal(sign * contracts * price_cents)  # x100 shares, /100 cents
            rows.append(
                BrokerPosition(
                    symbol=occ.format(),
                    quantity=Decimal(sign * contracts).quantize(Decimal("0.00000001")),
                    cost_basis=total.quantize(Decimal("0.01")),
                    date_acquired=datetime(2026, 3, 2, 14, 30, tzinfo=UTC),
                )
            )
        _cache[count] = rows
    return _cache[count]


def fresh_rows(rows: list[BrokerPosition]) -> list[BrokerPosition]:
    """Equal rows made of new objects, as every read of a real broker returns them.

    A sync hashes some of what a row holds (its symbol's text, say). Strings and Decimals keep
    their hash once computed, so syncing the very same objects again would time work a real
    sync pays and the benchmark would not: a memo keyed by the quantity's Decimal once looked
    a gain here and cost 0.6 ms per 1,000 legs through the Tradier wire. Called outside the
    timing."""
    return [
        BrokerPosition(
            "".join(list(row.symbol)),
            Decimal(str(row.quantity)),
            None if row.cost_basis is None else Decimal(str(row.cost_basis)),
            row.date_acquired,
        )
        for row in rows
    ]


def changed_rows(rows: list[BrokerPosition]) -> tuple[list[BrokerPosition], int, int]:
    """The account a while later: every tenth row gone, every tenth other row one contract
    more. Returns the rows and how many legs changed and went."""
    result: list[BrokerPosition] = []
    changed = gone = 0
    for number, row in enumerate(rows):
        if number % 10 == 0:
            gone += 1
            continue
        if number % 10 == 1:
            changed += 1
            step = Decimal(1 if row.quantity > 0 else -1)
            assert row.cost_basis is not None
            per_contract = row.cost_basis / row.quantity
            row = replace(
                row,
                quantity=row.quantity + step,
                cost_basis=(row.cost_basis + per_contract * step).quantize(Decimal("0.01")),
            )
        result.append(row)
    return result, changed, gone


def floor_rows(rows: list[BrokerPosition], *, sqlite: bool) -> list[tuple[Any, ...]]:
    """The column values legsync writes for these rows, ready for a raw ``executemany``.

    Built outside any timing from legsync's own plan, so the floor inserts exactly the rows
    legsync inserts; on SQLite decimals, dates and times are the canonical text it stores.
    """
    now = datetime.now(UTC)
    plan = plan_sync(BrokerSnapshot(ACCOUNT, tuple(rows), now), StoredLegs(ACCOUNT), now)
    assert not plan.errors
    assert len(plan.opened) == len(rows)
    return [_values(leg, sqlite) for leg in plan.opened]


def _values(leg: OptionLeg, sqlite: bool) -> tuple[Any, ...]:
    root, expiration, option_type, strike = leg.occ
    cost, last, updated, marked = (
        leg.cost_basis_per_contract,
        leg.last_price,
        leg.updated_at,
        leg.marked_at,
    )
    day: date | str = expiration
    strike_value: Decimal | str = strike
    cost_value: Decimal | str | None = cost
    last_value: Decimal | str | None = last
    updated_value: datetime | str = updated
    marked_value: datetime | str | None = marked
    if sqlite:
        day = expiration.isoformat()
        strike_value = canonical_decimal(strike)
        cost_value = None if cost is None else canonical_decimal(cost)
        last_value = None if last is None else canonical_decimal(last)
        updated_value = updated.astimezone(UTC).isoformat(timespec="microseconds")
        marked_value = (
            None if marked is None else marked.astimezone(UTC).isoformat(timespec="microseconds")
        )
    return (
        leg.key.as_id(),
        leg.account_id,
        leg.symbol,
        root,
        leg.occ.format(),
        day,
        option_type.value,
        strike_value,
        leg.side.value,
        leg.quantity,
        cost_value,
        last_value,
        updated_value,
        marked_value,
    )

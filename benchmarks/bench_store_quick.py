"""How long the SQL store takes for a 10,000-leg first sync and for a sync that changes nothing.

Run it as a script, not a test: ``python benchmarks/bench_store_quick.py [--legs N]
[--repeats N] [--json] [--no-postgres]``. PostgreSQL is a throwaway cluster (or the server named
by ``LEGSYNC_TEST_POSTGRES_URL``), as in the tests.

Each figure is one unit of work, as the sync runs it, on a freshly migrated database:

- ``first sync``: lock the account, read its (no) legs, upsert every leg, commit.
- ``no-change sync``: lock, read every leg keyed for diffing, upsert nothing (the sync passes
  only changed legs), commit.
- ``identical upsert``: the same, but passing every leg to the upsert, whose WHERE clause must
  then skip every row: what a caller that does not diff would pay.
- ``service, first`` / ``service, no change``: the whole ``SyncService.sync`` over an in-memory
  broker (OCC parsing, the plan, the store, the sync log), for scale.

Min and median of several repeats, in milliseconds. Machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from legsync.adapters.sql import SqlStore, upgrade
from legsync.application import SyncService
from legsync.domain import BrokerPosition, OptionLeg
from legsync.testing import InMemoryBroker, ManualClock, position
from tests.adapters.sql.worker import snapshot
from tests.support.postgres import postgres_server

ACCOUNT = "VA000001"


def first_sync(store: SqlStore, legs: list[OptionLeg]) -> None:
    with store() as uow:
        uow.lock_account(ACCOUNT)
        uow.positions.legs_by_key(ACCOUNT)
        uow.positions.upsert(legs)
        uow.commit()


def no_change_sync(store: SqlStore, legs: list[OptionLeg]) -> None:
    with store() as uow:
        uow.lock_account(ACCOUNT)
        stored = uow.positions.legs_by_key(ACCOUNT)
        assert len(stored) == len(legs)
        uow.positions.upsert([])
        uow.commit()


def identical_upsert(store: SqlStore, legs: list[OptionLeg]) -> None:
    with store() as uow:
        uow.lock_account(ACCOUNT)
        uow.positions.legs_by_key(ACCOUNT)
        assert uow.positions.upsert(legs) == 0
        uow.commit()


def _broker_rows(legs: list[OptionLeg]) -> list[BrokerPosition]:
    return [
        position(
            leg.occ_symbol,
            leg.signed_quantity,
            None
            if leg.cost_basis_per_contract is None
            else leg.cost_basis_per_contract * leg.quantity * leg.side.sign,
        )
        for leg in legs
    ]


def measure(
    name: str,
    databases: Callable[[], Generator[str, None, None]],
    count: int,
    repeats: int,
) -> dict[str, dict[str, Any]]:
    legs = snapshot(ACCOUNT, count)
    rows = _broker_rows(legs)
    timings: dict[str, list[float]] = {}

    def timed(label: str, action: Callable[[], object]) -> None:
        started = time.perf_counter()
        action()
        timings.setdefault(label, []).append((time.perf_counter() - started) * 1000)

    for _ in range(repeats):
        with _database(databases) as url, SqlStore(url) as store:
            first_sync(store, legs[:1])  # connect and warm the pool outside the timings
            with store() as uow:
                uow.positions.clear(ACCOUNT)
                uow.commit()
            timed("first sync", lambda: first_sync(store, legs))
            timed("no-change sync", lambda: no_change_sync(store, legs))
            timed("identical upsert", lambda: identical_upsert(store, legs))
        with _database(databases) as url, SqlStore(url) as store:
            broker = InMemoryBroker({ACCOUNT: rows, "WARM-UP": rows[:1]})
            service = SyncService(broker, store, ManualClock())
            service.sync("WARM-UP")
            timed("service, first", lambda: service.sync(ACCOUNT))  # noqa: B023
            timed("service, no change", lambda: service.sync(ACCOUNT))  # noqa: B023
    return {
        label: {"min_ms": min(values), "median_ms": statistics.median(values)}
        for label, values in timings.items()
    } | {"_": {"backend": name, "legs": count}}


@contextmanager
def _database(databases: Callable[[], Generator[str, None, None]]) -> Iterator[str]:
    generator = databases()
    url = next(generator)
    try:
        yield url
    finally:
        generator.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--legs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)

    results = []
    with tempfile.TemporaryDirectory() as directory:
        serial = iter(range(1_000_000))

        def sqlite_databases() -> Generator[str, None, None]:
            url = f"sqlite:///{Path(directory) / f'bench{next(serial)}.db'}"
            upgrade(url)
            yield url

        results.append(measure("sqlite", sqlite_databases, args.legs, args.repeats))
    if not args.no_postgres:
        with postgres_server() as server:

            def postgres_databases() -> Generator[str, None, None]:
                url = server.create_migrated_database()
                try:
                    yield url
                finally:
                    server.drop_database(url)

            results.append(measure("postgresql", postgres_databases, args.legs, args.repeats))

    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for result in results:
        about = result.pop("_")
        print(f"{about['backend']}, {about['legs']:,} legs (min / median of {args.repeats}):")
        for label, figures in result.items():
            print(f"  {label:<20} {figures['min_ms']:8.1f} ms {figures['median_ms']:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""End to end through Tradier's wire format: HTTP, the wire parser, the sync, SQLite.

A local HTTP server on 127.0.0.1 (``tests/support/tradier_server.py``) answers
``GET /v1/accounts/{id}/positions`` with a 1,000-position body as Tradier writes it;
``TradierBroker`` + ``SyncService`` fetch, parse and sync it into a SQLite file. The floor is
the sum of two floors measured in the same run: fetching the same body with a bare
``httpx.Client`` plus ``json.loads``, and the raw ``sqlite3`` insert of the same rows (for the
no-change resync: the raw select). Broker and client are created once and keep their
connection, as a watch loop's do.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.bench_sync import SqliteFloor, clear_store
from benchmarks.data import ACCOUNT, broker_rows, floor_rows
from benchmarks.harness import Check, Figure, Section, floor_interval_note, interleaved
from legsync.adapters.clock import SystemClock
from legsync.adapters.sql import SqlStore, upgrade
from legsync.adapters.tradier import TradierBroker
from legsync.application import SyncService
from tests.support.tradier_server import Reply, positions_body, tradier_server

__all__ = ["run_e2e"]

POSITIONS = 1_000


def run_e2e(repeats: int, positions: int = POSITIONS) -> Section:
    # The server is on 127.0.0.1: a proxy in the environment must not be asked for it.
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    import httpx

    section = Section()
    rows = broker_rows(positions)
    body = positions_body(rows)
    values = floor_rows(rows, sqlite=True)
    with (
        tempfile.TemporaryDirectory(prefix="legsync-bench-") as scratch,
        tradier_server() as server,
    ):
        server.reply("GET", f"/accounts/{ACCOUNT}/positions", Reply.json(body))
        template = Path(scratch) / "template.db"
        upgrade(f"sqlite:///{template}")
        target_path, floor_path = Path(scratch) / "target.db", Path(scratch) / "floor.db"
        shutil.copy(template, target_path)
        shutil.copy(template, floor_path)
        store = SqlStore(f"sqlite:///{target_path}")
        broker = TradierBroker("bench-token", base_url=server.base_url, timeout=30)
        service = SyncService(broker, store, SystemClock())
        floor = SqliteFloor(floor_path)
        client = httpx.Client(
            base_url=server.base_url,
            headers={"Authorization": "Bearer bench-token", "Accept": "application/json"},
        )
        try:

            def sync_first() -> float:
                clear_store(store)
                start = time.perf_counter()
                result = service.sync(ACCOUNT)
                elapsed = time.perf_counter() - start
                assert result.success, result
                assert result.counts.opened == positions, result
                return elapsed

            def sync_unchanged() -> float:
                start = time.perf_counter()
                result = service.sync(ACCOUNT)
                elapsed = time.perf_counter() - start
                assert result.success, result
                assert result.counts.unchanged == positions, result
                return elapsed

            def fetch() -> float:
                start = time.perf_counter()
                response = client.get(f"/accounts/{ACCOUNT}/positions")
                decoded = json.loads(response.content)
                elapsed = time.perf_counter() - start
                assert len(decoded["positions"]["position"]) == positions
                return elapsed

            def insert() -> float:
                floor.clear()
                start = time.perf_counter()
                floor.insert(values)
                return time.perf_counter() - start

            def select() -> float:
                start = time.perf_counter()
                assert floor.select() == positions
                return time.perf_counter() - start

            samples = interleaved(
                {"legsync": sync_first, "fetch": fetch, "insert": insert}, repeats
            )
            section.figures.append(_figure("first sync", positions, samples, "insert"))
            service.sync(ACCOUNT)
            floor.clear()
            floor.insert(values)
            samples = interleaved(
                {"legsync": sync_unchanged, "fetch": fetch, "select": select}, repeats
            )
            section.figures.append(_figure("no-change resync", positions, samples, "select"))
        finally:
            client.close()
            broker.close()
            floor.close()
            store.close()
    first = section.figures[0]
    section.checks.append(
        Check(
            f"end to end: first sync of {positions:,} positions over HTTP vs "
            "(httpx + json.loads) + raw sqlite3 INSERT",
            first.ratio,
            2.0,
            detail=f"{first.note}; {floor_interval_note(first)}",
        )
    )
    return section


def _figure(name: str, positions: int, samples: dict[str, list[float]], database: str) -> Figure:
    """The floor's samples are the sums of its two parts' samples, repetition by repetition
    (they ran side by side); the note gives each part's median."""
    fetch, store = samples["fetch"], samples[database]
    return Figure(
        section="Tradier over HTTP into SQLite",
        name=name,
        size=positions,
        unit="ms",
        samples=[s * 1000 for s in samples["legsync"]],
        floor_name=f"httpx GET + json.loads, then sqlite3 {database.upper()}",
        floor_samples=[(a + b) * 1000 for a, b in zip(fetch, store, strict=True)],
        note=(
            f"floor parts (median): fetch and decode {statistics.median(fetch) * 1000:.1f} ms, "
            f"sqlite3 {database} {statistics.median(store) * 1000:.1f} ms; "
            f"body {len(positions_body(broker_rows(positions))):,} bytes"
        ),
    )

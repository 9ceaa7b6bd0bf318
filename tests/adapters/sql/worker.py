"""A sync worker in a process of its own, for the crash and concurrency tests, and the
:class:`Worker` handle the tests drive it with.

Run as ``python -m tests.adapters.sql.worker '<json>'`` from the repository root. It prints
``ready``, waits for a line on stdin, then runs one sync-shaped transaction on the store:
lock the account, read its legs, upsert a snapshot, hold, prune, commit. Every step is
reported as a JSON line with ``time.monotonic()``, which on Linux is one clock for all
processes, so the test can order the steps of two workers.

Options (JSON): ``url``, ``account``, ``legs`` (how many), ``version`` (changes every leg's
data), ``hold`` (seconds between upsert and prune), ``lock_timeout``, and ``mode``: ``sync``
(the above) or ``crash`` (upsert batch after batch inside one transaction and never commit,
until killed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from legsync.adapters.sql import SqlStore
from legsync.domain import OccSymbol, OptionLeg, OptionType, Side
from legsync.ports import AccountBusy

T0 = datetime(2027, 3, 1, 14, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[3]


def snapshot(account: str, count: int, version: int = 0, first: int = 0) -> list[OptionLeg]:
    """``count`` distinct legs of ``account``; ``version`` changes quantities, prices and
    times, not keys, so two versions of a snapshot hold the same legs with other data."""
    legs = []
    for number in range(first, first + count):
        strike = Decimal(100) + Decimal(number // 4) / 8  # 100, 100.125, ... exact in 1/1000
        occ = tuple.__new__(
            OccSymbol,
            (
                "SPXW" if number % 4 < 2 else "SPX",
                (T0 + timedelta(days=30 + number % 7)).date(),
                OptionType.CALL if number % 2 else OptionType.PUT,
                strike,
            ),
        )
        legs.append(
            OptionLeg(
                account_id=account,
                occ=occ,
                side=Side.LONG if number % 3 else Side.SHORT,
                quantity=1 + (number + version) % 9,
                cost_basis_per_contract=Decimal(number % 500 + version) / 100,
                last_price=None if number % 5 == 0 else Decimal("1.05") + version,
                updated_at=T0 + timedelta(minutes=version),
            )
        )
    return legs


def _say(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, "at": time.monotonic(), **fields}), flush=True)


def main(options: dict[str, Any]) -> int:
    account = options["account"]
    store = SqlStore(options["url"], lock_timeout=options.get("lock_timeout", 30.0))
    legs = snapshot(account, options.get("legs", 100), options.get("version", 0))
    _say("ready")
    sys.stdin.readline()
    with store() as uow:
        _say("locking")
        try:
            uow.lock_account(account)
        except AccountBusy as busy:
            _say("busy", message=str(busy))
            return 3
        _say("locked")
        stored = uow.positions.legs_by_key(account)
        _say("read", legs=len(stored), versions=sorted({leg.quantity for leg in stored.values()}))
        if options.get("mode") == "crash":
            batch = 0
            while True:
                uow.positions.upsert(snapshot(account, 20_000, batch + 1, first=batch * 20_000))
                batch += 1
                _say("writing", batches=batch)
        written = uow.positions.upsert(legs)
        _say("upserted", rows=written)
        time.sleep(options.get("hold", 0.0))
        removed = uow.positions.delete_missing(account, {leg.key for leg in legs})
        _say("committing")
        uow.commit()
        _say("committed", removed=removed)
    store.close()
    return 0


class Worker:
    """``tests/adapters/sql/worker.py`` in a subprocess: started, told to go, read line by line."""

    def __init__(self, **options: Any) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.adapters.sql.worker", json.dumps(options)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.events: list[dict[str, Any]] = []

    def go(self) -> None:
        """Start the transaction (once the worker has imported everything and is ready)."""
        if not any(event["event"] == "ready" for event in self.events):
            self.wait_for("ready")
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def wait_for(self, event: str) -> dict[str, Any]:
        """Read events until ``event``; fails with the worker's stderr if it ends first."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.events.append(json.loads(line))
            if self.events[-1]["event"] == event:
                return self.events[-1]
        stderr = self.process.stderr.read() if self.process.stderr else ""
        raise AssertionError(f"worker ended before {event!r}: {self.events}\n{stderr}")

    def finish(self, timeout: float = 60) -> int:
        """Read the remaining events and wait for the exit code."""
        out, err = self.process.communicate(timeout=timeout)
        self.events.extend(json.loads(line) for line in out.splitlines() if line)
        if self.process.returncode not in (0, 3):
            raise AssertionError(f"worker failed ({self.process.returncode}):\n{err}")
        return self.process.returncode

    def at(self, event: str) -> float:
        return float(next(e["at"] for e in self.events if e["event"] == event))

    def event(self, event: str) -> dict[str, Any]:
        return next(e for e in self.events if e["event"] == event)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate(timeout=30)


if __name__ == "__main__":
    sys.exit(main(json.loads(sys.argv[1])))

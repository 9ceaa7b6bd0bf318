"""Peak memory (RSS) of a 100,000-leg sync, each in a process of its own.

The account comes the way the command line reads it: a Tradier positions body on disk
(``FileBroker``), so the peak includes the body, its decoded JSON, the broker rows, the legs
and the store's work. Two child processes: a first sync into an empty SQLite file, then a
no-change resync of the same body (which holds the stored legs and the fresh ones at once).
Each child reports its own ``VmHWM`` (peak resident set size, from ``/proc/self/status``) after
its imports and after the sync. (The parent's view, ``ru_maxrss`` of the child, is no use here:
Linux counts the parent's pages shared at fork time, so it reports the harness's own size.)
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import Check, Figure, Section

__all__ = ["run_memory"]

ROOT = Path(__file__).resolve().parent.parent
LIMIT_MB = 300.0


def run_memory(legs: int) -> Section:
    from benchmarks.data import broker_rows
    from legsync.adapters.sql import upgrade
    from tests.support.tradier_server import positions_body

    section = Section()
    with tempfile.TemporaryDirectory(prefix="legsync-bench-") as scratch:
        body = Path(scratch) / "positions.json"
        body.write_bytes(positions_body(broker_rows(legs)))
        database = Path(scratch) / "legsync.db"
        upgrade(f"sqlite:///{database}")
        for phase in ("first sync", "no-change resync"):
            report = _child(body, database, legs)
            section.figures.append(
                Figure(
                    section="peak memory (RSS), one process per sync",
                    name=phase,
                    size=legs,
                    unit="MB",
                    samples=[report["peak_mb"]],
                    floor_name="the same process after its imports",
                    floor_samples=[report["after_imports_mb"]],
                    note=(
                        f"the sync took {report['seconds']:.2f} s; "
                        f"Tradier body {body.stat().st_size / 1e6:.1f} MB"
                    ),
                )
            )
    peak = max(figure.min for figure in section.figures)
    section.checks.append(
        Check(
            f"peak memory of a {legs:,}-leg sync",
            peak,
            LIMIT_MB,
            unit="MB",
            strict=True,
            detail="the larger of the first sync and the no-change resync",
        )
    )
    return section


def _child(body: Path, database: Path, legs: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.bench_memory", str(body), str(database), str(legs)]
    found = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if found.returncode != 0:
        raise RuntimeError(f"the memory benchmark's child failed:\n{found.stderr}")
    report: dict[str, Any] = json.loads(found.stdout.strip().splitlines()[-1])
    return report


def _peak_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sync_in_this_process(body: str, database: str, legs: int) -> None:
    from legsync.adapters.clock import SystemClock
    from legsync.adapters.sql import SqlStore
    from legsync.adapters.tradier import FileBroker
    from legsync.application import SyncService

    after_imports = _peak_mb()
    store = SqlStore(f"sqlite:///{database}")
    service = SyncService(FileBroker(body), store, SystemClock())
    start = time.perf_counter()
    result = service.sync("VA000001")
    seconds = time.perf_counter() - start
    assert result.success, result
    assert result.counts.synced == legs, result
    peak = _peak_mb()
    store.close()
    print(json.dumps({"after_imports_mb": after_imports, "peak_mb": peak, "seconds": seconds}))


if __name__ == "__main__":
    _sync_in_this_process(sys.argv[1], sys.argv[2], int(sys.argv[3]))

"""The main job as a user runs it: ``legsync sync --from-file examples/tradier_positions.json``.

Wall time of the whole command (interpreter start, imports, settings, the schema check, the
sync of the example's 8 legs, the summary), against the floor of starting the interpreter and
importing the libraries legsync is built on:
``python -c "import sqlalchemy, httpx, pydantic, blinker, dependency_injector"``.

Two figures, each in a fresh temporary directory:

* steady state (the target): the database exists already, as on every run after the first;
* first run: no database yet, so the command also creates the schema (Alembic migrations).

With ``hyperfine`` on the PATH it does the timing (``-N``, warm-up runs, ``--prepare`` to
delete the database before each first run); otherwise the commands run as subprocesses, taking
turns. The harness also records which heavy libraries a steady-state sync imports.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.harness import Check, Figure, Section, interleaved

__all__ = ["FLOOR_IMPORTS", "legsync_command", "run_cli"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "tradier_positions.json"
FLOOR_IMPORTS = "import sqlalchemy, httpx, pydantic, blinker, dependency_injector"
NEEDED_IMPORTS = (
    "import sqlalchemy.engine, sqlalchemy.sql, sqlalchemy.dialects.sqlite, sqlite3, "
    "pydantic.main, dependency_injector.containers, blinker"
)
"""What the sync cannot do without: SQLAlchemy's Core (the store's engine and statements), the
SQLite driver, the settings' pydantic models and the container. Measured for the record, next
to the same floor."""
_DATABASE_FILES = ("legsync.db", "legsync.db-wal", "legsync.db-shm")
_HEAVY = (
    "sqlalchemy",
    "alembic",
    "sqlite3",
    "psycopg",
    "httpx",
    "pydantic",
    "pydantic_settings",
    "dependency_injector",
)
_DRIVERS = ("sqlalchemy", "alembic", "sqlite3", "psycopg", "httpx")
"""What ``legsync --help`` must not import: database drivers, the ORM, the HTTP client."""


def legsync_command() -> list[str]:
    """The installed console script next to this interpreter, as a user runs it."""
    script = Path(sys.executable).parent / "legsync"
    if script.exists():
        return [str(script)]
    found = shutil.which("legsync")
    return [found] if found else [sys.executable, "-m", "legsync.adapters.cli"]


def run_cli(repeats: int, use_hyperfine: bool = True, warmup: int = 3) -> Section:
    section = Section()
    sync = [*legsync_command(), "sync", "--from-file", str(EXAMPLE)]
    floor = [sys.executable, "-c", FLOOR_IMPORTS]
    needed = [sys.executable, "-c", NEEDED_IMPORTS]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEGSYNC_")}
    hyperfine = shutil.which("hyperfine") if use_hyperfine else None
    with tempfile.TemporaryDirectory(prefix="legsync-bench-") as scratch:
        steady, first = Path(scratch) / "steady", Path(scratch) / "first"
        steady.mkdir()
        first.mkdir()
        subprocess.run(sync, cwd=steady, env=env, check=True, capture_output=True)
        if hyperfine:
            method = (
                f"hyperfine {_hyperfine_version(hyperfine)}, -N, {warmup} warm-up runs, "
                f"in up to {_ROUNDS} rounds"
            )
            steady_samples = _hyperfine(
                hyperfine,
                {"legsync": sync, "floor": floor, "needed": needed},
                steady,
                env,
                repeats,
                warmup,
            )
            first_samples = _hyperfine(
                hyperfine,
                {"legsync": sync, "floor": floor},
                first,
                env,
                repeats,
                warmup,
                prepare=True,
            )
        else:
            method = "subprocess.run, the commands taking turns"
            steady_samples = interleaved(
                {
                    "legsync": lambda: _timed(sync, steady, env),
                    "floor": lambda: _timed(floor, steady, env),
                    "needed": lambda: _timed(needed, steady, env),
                },
                repeats,
                warmup,
            )
            first_samples = interleaved(
                {
                    "legsync": lambda: _timed(sync, first, env, fresh=True),
                    "floor": lambda: _timed(floor, first, env),
                },
                repeats,
                warmup,
            )
        section.facts["timing"] = method
        section.facts["sync imports"] = _imported(steady, env)
        section.facts["help imports"] = _imported(steady, env, help_only=True)
    title = "main job: legsync sync --from-file examples/tradier_positions.json"
    floor_name = f'python -c "{FLOOR_IMPORTS}"'
    for name, samples, runner in (
        ("steady state (database exists)", steady_samples, "legsync"),
        ("first run (creates the schema)", first_samples, "legsync"),
        ("for the record: importing what the sync needs", steady_samples, "needed"),
    ):
        section.figures.append(
            Figure(
                section=title,
                name=name,
                size=None,
                unit="ms",
                samples=[s * 1000 for s in samples[runner]],
                floor_name=floor_name,
                floor_samples=[s * 1000 for s in samples["floor"]],
                note=f'python -c "{NEEDED_IMPORTS}"' if runner == "needed" else f"{method}",
            )
        )
    heavy = section.facts["sync imports"]
    section.checks.append(
        Check(
            "main job, steady state, vs importing sqlalchemy, httpx, pydantic, blinker, "
            "dependency_injector",
            section.figures[0].ratio,
            1.5,
            detail="of the heavy libraries it imports " + (", ".join(heavy) or "none"),
        )
    )
    help_imports = section.facts["help imports"]
    drivers = [name for name in help_imports if name in _DRIVERS]
    section.checks.append(
        Check(
            "legsync --help imports no database driver, ORM or HTTP client",
            float(len(drivers)),
            0.0,
            unit="libraries",
            detail=f"of {', '.join(_HEAVY)} it imports: {', '.join(help_imports) or 'none'}",
        )
    )
    return section


def _timed(command: Sequence[str], cwd: Path, env: dict[str, str], fresh: bool = False) -> float:
    if fresh:
        for name in _DATABASE_FILES:
            (cwd / name).unlink(missing_ok=True)
    start = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def _hyperfine(
    hyperfine: str,
    commands: dict[str, list[str]],
    cwd: Path,
    env: dict[str, str],
    runs: int,
    warmup: int,
    prepare: bool = False,
) -> dict[str, list[float]]:
    """Each command's seconds per run. hyperfine times one command's runs in a block, so the
    runs are split into rounds: a burst of load from another job then hits every command."""
    rounds = max(1, min(_ROUNDS, runs // 3))
    samples: dict[str, list[float]] = {name: [] for name in commands}
    out = cwd.parent / f"{cwd.name}-hyperfine.json"
    for round_ in range(rounds):
        arguments = [hyperfine, "-N", "--warmup", str(warmup if round_ == 0 else 1)]
        arguments += ["--runs", str(-(-runs // rounds)), "--export-json", str(out)]
        if prepare:
            arguments += ["--prepare", shlex.join(["rm", "-f", *_DATABASE_FILES])]
        names = list(commands) if round_ % 2 == 0 else list(reversed(commands))
        for name in names:
            arguments += ["-n", name, shlex.join(commands[name])]
        subprocess.run(arguments, cwd=cwd, env=env, check=True, capture_output=True)
        for result in json.loads(out.read_text())["results"]:
            samples[result["command"]].extend(result["times"])
        out.unlink()
    return samples


_ROUNDS = 4


def _hyperfine_version(hyperfine: str) -> str:
    found = subprocess.run([hyperfine, "--version"], capture_output=True, text=True, check=False)
    return found.stdout.strip().removeprefix("hyperfine ")


def _imported(cwd: Path, env: dict[str, str], help_only: bool = False) -> list[str]:
    """The heavy libraries loaded by a sync (or by building ``--help``'s parser)."""
    if help_only:
        action = "from legsync.adapters.cli.main import build_parser; build_parser().format_help()"
    else:
        action = (
            "from legsync.adapters.cli.main import main; "
            f"main(['sync', '--from-file', {str(EXAMPLE)!r}])"
        )
    script = (
        "import sys, json, contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    {action}\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(_HEAVY)!r})))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return list(json.loads(found.stdout.strip().splitlines()[-1]))

"""What the command line imports: each command loads only what it uses.

Start-up is most of a small sync's wall time (``docs/performance.md``), so these tests keep the
lazy imports lazy: ``legsync --help`` loads no database driver, ORM or HTTP client, and a sync
of a saved file into a current SQLite database loads neither Alembic, nor httpx, nor anything
of PostgreSQL's, nor SQLAlchemy's ORM (the store is Core only).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "tradier_positions.json"
QUOTES = ROOT / "examples" / "tradier_quotes.json"


def imported_after(action: str, cwd: Path) -> set[str]:
    """The modules loaded once ``action`` ran in a fresh interpreter."""
    script = (
        "import contextlib, io, json, sys\n"
        "quiet = io.StringIO()\n"
        "with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):\n"
        f"    {action}\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LEGSYNC_")}
    found = subprocess.run(
        [sys.executable, "-c", script],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(found.stdout.strip().splitlines()[-1]))


def loaded(modules: set[str], *packages: str) -> list[str]:
    return sorted(
        name
        for name in modules
        if any(name == package or name.startswith(f"{package}.") for package in packages)
    )


def test_help_imports_no_database_driver_orm_or_http_client(tmp_path: Path) -> None:
    modules = imported_after(
        "from legsync.adapters.cli.main import build_parser; build_parser().format_help()", tmp_path
    )
    assert loaded(modules, "sqlalchemy", "alembic", "psycopg", "sqlite3", "httpx") == []


def test_a_sync_of_a_file_into_a_current_database_loads_no_migrations_or_http(
    tmp_path: Path,
) -> None:
    shutil.copy(EXAMPLE, tmp_path / "positions.json")
    sync = "from legsync.adapters.cli import main; main(['sync', '--from-file', 'positions.json'])"
    first = imported_after(sync, tmp_path)  # creates the schema: the migrations are needed
    assert loaded(first, "alembic")
    again = imported_after(sync, tmp_path)
    assert loaded(again, "legsync.adapters.sql.store", "sqlite3"), "the sync reached no store"
    assert loaded(again, "alembic", "httpx", "psycopg", "sqlalchemy.dialects.postgresql") == []


def test_a_sync_of_a_file_priced_from_a_quotes_file_loads_no_http_client(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "positions.json")
    shutil.copy(QUOTES, tmp_path / "quotes.json")
    sync = (
        "from legsync.adapters.cli import main; "
        "main(['sync', '--from-file', 'positions.json', '--quotes-file', 'quotes.json'])"
    )
    imported_after(sync, tmp_path)  # creates the schema
    again = imported_after(sync, tmp_path)
    assert loaded(again, "legsync.adapters.tradier.file_quotes"), "the quotes file was not read"
    assert loaded(again, "httpx", "stamina", "alembic", "psycopg") == []


def test_a_sync_of_a_file_into_a_current_database_loads_no_orm(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "positions.json")
    sync = "from legsync.adapters.cli import main; main(['sync', '--from-file', 'positions.json'])"
    imported_after(sync, tmp_path)  # creates the schema
    again = imported_after(sync, tmp_path)
    assert loaded(again, "legsync.adapters.sql.store"), "the sync did not reach the store"
    assert loaded(again, "sqlalchemy.orm", "sqlalchemy.ext") == []

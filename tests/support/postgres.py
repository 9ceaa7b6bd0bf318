"""A real PostgreSQL server for tests and benchmarks: a throwaway cluster, or the one named by
``LEGSYNC_TEST_POSTGRES_URL``.

``postgres_server()`` is a plain context manager (benchmarks use it directly); the pytest
fixtures in ``tests/conftest.py`` wrap it. The throwaway cluster lives in a temporary
directory: ``initdb``, then ``pg_ctl start`` listening only on a unix socket in that
directory, so parallel test runs never collide on a port. ``initdb`` refuses to run as root,
so as root the server runs as the ``postgres`` system user (``runuser``). Durability settings
are off: a test server that loses its data in a power cut loses nothing of value.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

__all__ = [
    "ENV_URL",
    "PostgresServer",
    "PostgresUnavailable",
    "find_binaries",
    "postgres_server",
]

ENV_URL = "LEGSYNC_TEST_POSTGRES_URL"
"""Names an existing server (a role that may CREATE DATABASE) instead of starting one."""

_SERVER_USER = "postgres"


class PostgresUnavailable(RuntimeError):
    """No server was given and none could be started here; the message says why."""


@dataclass
class PostgresServer:
    """A running server; ``url`` is its maintenance database, as a SQLAlchemy URL."""

    url: str
    _template: str | None = field(default=None, repr=False)
    _version: int | None = field(default=None, repr=False)

    def database_url(self, name: str) -> str:
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def create_database(self, template: str | None = None) -> str:
        """Create a database with a fresh name (a copy of ``template`` if given); its URL."""
        name = f"legsync_test_{uuid.uuid4().hex[:12]}"
        copy = f" TEMPLATE {template}" if template else ""
        if template and self._server_version() >= 150000:
            # Ten times faster than the default WAL_LOG copy for a small template.
            copy += " STRATEGY FILE_COPY"
        self._admin(f"CREATE DATABASE {name}{copy}")
        return self.database_url(name)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def create_migrated_database(self) -> str:
        """A fresh database at the newest schema, copied from a template migrated once."""
        if self._template is None:
            from legsync.adapters.sql import upgrade

            template_url = self.create_database()
            upgrade(template_url)
            self._template = make_url(template_url).database
        return self.create_database(template=self._template)

    def _server_version(self) -> int:
        if self._version is None:
            self._version = int(str(self._admin("SHOW server_version_num") or 0))
        return self._version

    def _admin(self, statement: str) -> object:
        engine = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with engine.connect() as connection:
                result = connection.execute(text(statement))
                return result.scalar() if result.returns_rows else None
        finally:
            engine.dispose()


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """The server named by ``LEGSYNC_TEST_POSTGRES_URL``, or a throwaway cluster, stopped and
    deleted on exit. Raises :class:`PostgresUnavailable` when neither can be had."""
    given = os.environ.get(ENV_URL)
    if given:
        url = make_url(given)
        if url.get_driver_name() != "psycopg":
            url = url.set(drivername="postgresql+psycopg")
        yield PostgresServer(url.render_as_string(hide_password=False))
        return
    with _throwaway_cluster() as cluster_url:
        yield PostgresServer(cluster_url)


def find_binaries() -> Path:
    """The directory of the newest installed server's ``initdb`` and ``pg_ctl``."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (initdb) found: install the postgresql package, "
        f"or set {ENV_URL}"
    )


@contextmanager
def _throwaway_cluster() -> Iterator[str]:
    binaries = find_binaries()
    run_as = _run_as()
    base = Path(tempfile.mkdtemp(prefix="legsync-pg-"))
    data, log = base / "data", base / "server.log"
    started = False
    try:
        if run_as:
            entry = pwd.getpwnam(_SERVER_USER)
            os.chown(base, entry.pw_uid, entry.pw_gid)
        _run(
            [
                *run_as,
                *(str(binaries / "initdb"), "-D", str(data), "-U", "postgres"),
                *("--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"),
            ],
            "initdb",
        )
        options = (
            f"-k {base} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        _run(
            [
                *run_as,
                *(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log)),
                *("-o", options, "-w", "-t", "60", "start"),
            ],
            "pg_ctl start",
            log,
        )
        started = True
        url = URL.create(
            "postgresql+psycopg",
            username="postgres",
            database="postgres",
            query={"host": str(base)},
        )
        yield url.render_as_string(hide_password=False)
    finally:
        if started:
            subprocess.run(
                [*run_as, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                check=False,
                timeout=60,
            )
        shutil.rmtree(base, ignore_errors=True)


def _run_as() -> list[str]:
    """The command prefix that runs the server as a non-root user (empty unless root)."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(_SERVER_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"running as root and there is no {_SERVER_USER!r} user to run the server as"
        ) from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailable("running as root and runuser is not installed")
    return [runuser, "-u", _SERVER_USER, "--"]


def _run(command: list[str], what: str, log: Path | None = None) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise PostgresUnavailable(f"{what} failed: {error}") from error
    if result.returncode != 0:
        detail = result.stderr.strip() or result.stdout.strip()
        if log is not None and log.exists():
            detail += "\n" + log.read_text(errors="replace")[-2000:]
        raise PostgresUnavailable(f"{what} failed ({result.returncode}): {detail}")

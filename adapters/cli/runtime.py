"""What a command needs, built from settings through the container, and closed afterwards."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from legsync.adapters.settings import Settings, load_settings

from .app import CommandFailed, UsageError

if TYPE_CHECKING:
    from legsync.adapters.container import Container
    from legsync.application import SyncService
    from legsync.ports import Clock, UnitOfWork, UnitOfWorkFactory

__all__ = ["FILE_ACCOUNT", "Runtime"]

FILE_ACCOUNT = "file"
"""The account id a saved positions file is mirrored under when none is given."""


class Runtime:
    """Settings plus the container configured from them, for one command's lifetime."""

    def __init__(self, settings: Settings, *, from_file: Path | None = None) -> None:
        from legsync.adapters.container import Container

        self.settings = settings
        if from_file is not None:
            settings = settings.model_copy(update={"broker": "file", "positions_file": from_file})
            self.settings = settings
        if settings.broker == "file" and settings.positions_file is None:
            raise UsageError("broker=file needs a positions file: use --from-file PATH")
        self.container: Container = Container()
        self.container.config.from_dict(_container_config(settings))
        self._schema_checked = False

    @classmethod
    def from_args(cls, args: argparse.Namespace, *, open_store: bool = True) -> Runtime:
        flags: dict[str, Any] = {"database_url": args.database_url}
        if getattr(args, "sandbox", None):
            flags["tradier_sandbox"] = True
        settings = load_settings(flags, args.config)
        return cls(settings, from_file=getattr(args, "from_file", None))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.container.shutdown_resources()

    # --- the store ----------------------------------------------------------------------------

    def unit_of_work(self) -> UnitOfWork:
        return self.store()()

    def store(self) -> UnitOfWorkFactory:
        """The store, its schema checked (and created in a new, empty database)."""
        self._ensure_schema()
        return self.container.store()  # type: ignore[no-any-return]

    def clock(self) -> Clock:
        return self.container.clock()

    def migrate(self, action: str, revision: str | None) -> str:
        from legsync.adapters.sql import migrations

        url = self.settings.database_url
        try:
            if action == "upgrade":
                migrations.upgrade(url, revision or "head")
            elif action == "downgrade":
                if revision is None:
                    raise UsageError("db downgrade needs a revision (or 'base')")
                migrations.downgrade(url, revision)
            current = migrations.current_revision(url)
        except migrations.SchemaError as error:
            raise CommandFailed(str(error)) from None
        return f"database {_safe_url(url)} is at schema revision {current or 'base (empty)'}"

    def _ensure_schema(self) -> None:
        """Create the schema in a new, empty database; refuse an older one.

        A newcomer's first command just works; a deployed database is upgraded only on
        purpose (``legsync db upgrade``), so two versions of legsync never write one schema.
        """
        if self._schema_checked:
            return
        from legsync.adapters.sql.revision import at_head_revision

        store = self.container.store()
        if at_head_revision(store.engine):  # the usual case: one SELECT, Alembic not loaded
            self._schema_checked = True
            return
        from sqlalchemy import inspect

        from legsync.adapters.sql import migrations

        url = self.settings.database_url
        current, head = migrations.current_revision(url), migrations.head_revision()
        if current != head:
            with store.engine.connect() as connection:
                empty = not inspect(connection).get_table_names()
            if current is None and empty:
                migrations.upgrade(url)
                print(
                    f"legsync: created the legsync schema (revision {head}) in {_safe_url(url)}",
                    file=sys.stderr,
                )
            else:
                raise UsageError(
                    f"the database {_safe_url(url)} is at schema revision "
                    f"{current or 'none (it holds other tables)'} and this legsync needs {head}:"
                    " run legsync db upgrade"
                )
        self._schema_checked = True

    # --- the broker ---------------------------------------------------------------------------

    def sync_service(self) -> SyncService:
        self._ensure_schema()
        return self.container.sync_service()

    def accounts(self, args: argparse.Namespace) -> list[str]:
        explicit = list(getattr(args, "account_ids", None) or ())
        if getattr(args, "all_accounts", False):
            if self.settings.broker == "file":
                raise UsageError("--all-accounts needs the Tradier broker, not --from-file")
            if explicit:
                raise UsageError("use either --account-id or --all-accounts, not both")
            listed = list(self.container.account_directory().list_accounts())
            if not listed:
                raise CommandFailed("the token's profile lists no accounts")
            return listed
        accounts = explicit or list(self.settings.tradier_account_id)
        if accounts:
            return accounts
        if self.settings.broker == "file":
            return [FILE_ACCOUNT]
        raise UsageError(
            "no account to sync: pass --account-id ID, --all-accounts, or set "
            "LEGSYNC_TRADIER_ACCOUNT_ID"
        )


def _container_config(settings: Settings) -> dict[str, Any]:
    token = settings.tradier_token
    return {
        "store": "sql",
        "broker": settings.broker,
        "database_url": settings.database_url,
        "positions_file": None if settings.positions_file is None else str(settings.positions_file),
        "tradier": {
            "token": token,
            "base_url": settings.resolved_tradier_base_url,
            "timeout": settings.tradier_timeout,
        },
    }


def _safe_url(url: str) -> str:
    """The database URL without its password."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"

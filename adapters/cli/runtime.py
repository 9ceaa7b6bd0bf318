"""What a command needs, built from settings through the container, and closed afterwards."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from legsync.adapters.settings import Settings, load_settings

from .errors import CommandFailed, UsageError
from .output import safe_url

if TYPE_CHECKING:
    from legsync.adapters.container import Container
    from legsync.application import SyncService
    from legsync.application.reconcile import ReconcileService
    from legsync.application.risk import RiskService
    from legsync.application.trades import TradeService
    from legsync.ports import Clock, UnitOfWorkFactory

__all__ = ["FILE_ACCOUNT", "Runtime"]

FILE_ACCOUNT = "file"
"""The account id a saved positions file is mirrored under when none is given."""


class Runtime:
    """Settings plus the container configured from them, for one command's lifetime."""

    def __init__(
        self, settings: Settings, *, from_file: Path | None = None, quotes_file: Path | None = None
    ) -> None:
        from legsync.adapters.container import Container

        if from_file is not None:
            settings = settings.model_copy(update={"broker": "file", "positions_file": from_file})
        if quotes_file is not None:
            if settings.broker != "file":
                raise UsageError(
                    "--quotes-file needs --from-file: the Tradier broker reads its own quotes"
                )
            settings = settings.model_copy(update={"quotes_file": quotes_file})
        if settings.broker == "file" and settings.positions_file is None:
            raise UsageError("broker=file needs a positions file: use --from-file PATH")
        self.settings = settings
        if settings.tradier_token is not None:  # every legsync line on stderr, --debug's too
            _hide_in_logs(settings.tradier_token.get_secret_value())
        self.container: Container = Container()
        self.container.config.from_dict(_container_config(settings))

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Runtime:
        flags: dict[str, Any] = {"database_url": args.database_url}
        if getattr(args, "sandbox", None):
            flags["tradier_sandbox"] = True
        if getattr(args, "max_age", None) is not None:
            flags["max_mirror_age"] = args.max_age
        settings = load_settings(flags, args.config)
        return cls(
            settings,
            from_file=getattr(args, "from_file", None),
            quotes_file=getattr(args, "quotes_file", None),
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.container.shutdown_resources()

    def store(self) -> UnitOfWorkFactory:
        """The store, its schema prepared by the container (created in a new, empty database)."""
        store: UnitOfWorkFactory = self.container.store()
        if getattr(store, "schema_created", False):
            print(
                f"legsync: created the legsync schema in {safe_url(self.settings.database_url)}",
                file=sys.stderr,
            )
            setattr(store, "schema_created", False)  # said once  # noqa: B010
        return store

    def clock(self) -> Clock:
        return self.container.clock()

    def sync_service(self) -> SyncService:
        self.store()
        return self.container.sync_service()

    def trade_service(self) -> TradeService:
        self.store()
        return self.container.trade_service()

    def reconcile_service(self) -> ReconcileService:
        self.store()
        return self.container.reconcile_service()

    def risk_service(self) -> RiskService:
        self.store()
        return self.container.risk_service()

    def accounts(self, args: argparse.Namespace) -> list[str]:
        """The accounts a sync command names: ``--account-id``, ``--all-accounts``, the
        settings, or the file broker's own."""
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


def _hide_in_logs(token: str) -> None:
    from legsync.adapters.redaction import RedactingFilter

    for handler in logging.getLogger("legsync").handlers:
        handler.addFilter(RedactingFilter([token]))


def _container_config(settings: Settings) -> dict[str, Any]:
    return {
        "store": "sql",
        "broker": settings.broker,
        "database_url": settings.database_url,
        "positions_file": None if settings.positions_file is None else str(settings.positions_file),
        "quotes_file": None if settings.quotes_file is None else str(settings.quotes_file),
        "max_mirror_age": settings.max_mirror_age,
        "tradier": {
            "token": settings.tradier_token,
            "base_url": settings.resolved_tradier_base_url,
            "timeout": settings.tradier_timeout,
        },
    }

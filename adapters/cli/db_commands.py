"""``legsync db upgrade|downgrade|current``: the database schema, changed only on purpose."""

from __future__ import annotations

import argparse

from .errors import EXIT_OK, CommandFailed
from .help import command_parser

__all__ = ["register"]


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    db = commands.add_parser(
        "db",
        help="the database schema",
        description="Create, upgrade or downgrade legsync's schema (Alembic migrations).",
    )
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = command_parser(
        actions,
        "upgrade",
        [common],
        "Upgrade the database to this legsync's schema (or to REVISION); creates it when new.",
        "legsync db upgrade",
    )
    upgrade.add_argument("revision", nargs="?", default="head", help="default: the newest")
    downgrade = command_parser(
        actions,
        "downgrade",
        [common],
        "Downgrade the database to REVISION ('base' drops everything legsync made).",
        "legsync db downgrade 0002",
    )
    downgrade.add_argument("revision", help="the revision to go back to, or base")
    current = command_parser(
        actions, "current", [common], "Show the database's schema revision.", "legsync db current"
    )
    for parser in (upgrade, downgrade, current):
        parser.set_defaults(handler=run_db)


def run_db(args: argparse.Namespace) -> int:
    from legsync.adapters.settings import load_settings
    from legsync.adapters.sql import SchemaError, migrations

    from .output import safe_url

    url = load_settings({"database_url": args.database_url}, args.config).database_url
    try:
        if args.db_command == "upgrade":
            migrations.upgrade(url, args.revision)
        elif args.db_command == "downgrade":
            migrations.downgrade(url, args.revision)
        current = migrations.current_revision(url)
    except SchemaError as error:
        raise CommandFailed(str(error)) from None
    print(f"database {safe_url(url)} is at schema revision {current or 'base (empty)'}")
    return EXIT_OK

"""``legsync check``: the engine's trades against the mirror, changing nothing.

Exits 0 when every account was judged and nothing was found, 3 when it found phantom, partial
or over-claimed trades or expired legs, and 1 when an account's mirror is stale (its last sync
failed, was incomplete, never ran or is too old), since nothing about it could be judged.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .errors import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK
from .help import command_parser
from .options import max_age_option

if TYPE_CHECKING:
    from legsync.application.reconcile import CheckReport

__all__ = ["register"]


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    check = command_parser(
        commands,
        "check",
        [common, max_age_option()],
        "Report phantom, partial and over-claimed trades and expired legs; changes nothing.",
        "legsync check --account-id VA00000000 --max-age 5m --json",
    )
    check.add_argument("--account-id", dest="account_id", metavar="ID", help="one account")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    from .output import dumps
    from .runtime import Runtime

    runtime = Runtime.from_args(args)
    with runtime:
        report = runtime.reconcile_service().check(args.account_id)
    if args.json:
        print(dumps(report.to_dict()))
        for account in report.stale:
            print(f"legsync: {account.account_id}: {account.stale_reason}", file=sys.stderr)
    else:
        print(check_text(report))
    if report.stale:
        return EXIT_FAILED
    return EXIT_OK if report.clean else EXIT_FINDINGS


def check_text(report: CheckReport) -> str:
    if not report.accounts:
        return "nothing to check: no legs, syncs or open managed trades yet"
    lines = []
    for account in report.accounts:
        if not account.judged:
            lines.append(
                f"{account.account_id}: STALE mirror, nothing judged: {account.stale_reason}"
            )
            continue
        verdict = "clean" if account.clean else "findings"
        judged = f"{account.trades_judged} managed open trade(s) judged"
        lines.append(f"{account.account_id}: {verdict} ({judged})")
        lines.extend(f"  {finding.detail}" for finding in account.findings())
    return "\n".join(lines)

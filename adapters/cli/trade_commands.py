"""Reconciliation and trade commands (``check``, ``trades ...``)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_reconciliation_commands"]


def add_reconciliation_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Registers nothing yet: reconciliation arrives with its use cases."""


def run_reconciliation(args: argparse.Namespace) -> int:
    from .app import UsageError

    raise UsageError(f"unknown command {args.command!r}")

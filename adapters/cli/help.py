"""How every subcommand presents itself: a one-line description and examples in its --help."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

__all__ = ["command_parser"]


def command_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    parents: Sequence[argparse.ArgumentParser],
    description: str,
    *examples: str,
) -> argparse.ArgumentParser:
    """A subcommand whose ``--help`` starts with ``description`` and ends with ``examples``."""
    return commands.add_parser(
        name,
        parents=list(parents),
        help=description.split(" (")[0].split(": ")[0].rstrip("."),
        description=description,
        epilog="example"
        + ("s" if len(examples) > 1 else "")
        + ":\n"
        + "\n".join(f"  {example}" for example in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )

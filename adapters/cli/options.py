"""Options several commands share, parsed once."""

from __future__ import annotations

import argparse
from datetime import timedelta

__all__ = ["max_age_option", "mirror_age"]


def mirror_age(text: str) -> timedelta:
    """``--max-age``: minutes, or a duration such as ``90s``, ``15m`` or ``1h``."""
    from legsync.adapters.settings import parse_duration

    try:
        return parse_duration(text)
    except ValueError as invalid:
        raise argparse.ArgumentTypeError(str(invalid)) from None


def max_age_option() -> argparse.ArgumentParser:
    """``--max-age``, for every command that trusts the mirror only while it is fresh."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--max-age",
        type=mirror_age,
        metavar="AGE",
        help="how old the last good sync may be for the mirror to be trusted: minutes, or 90s,"
        " 15m, 1h (default: setting max_mirror_age, LEGSYNC_MAX_MIRROR_AGE, 15 minutes)",
    )
    return options

"""The command's exit codes and the failures that choose them; imports nothing of legsync's.

0 every account synced cleanly (or the command did what it was asked); 1 a broker read, the
store or a check failed (nothing changed for that account); 2 a usage or configuration error;
3 synced with row errors (nothing pruned), or ``check`` found something to look at.
"""

from __future__ import annotations

__all__ = ["EXIT_FAILED", "EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "CommandFailed", "UsageError"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_FINDINGS = 3


class UsageError(Exception):
    """A command line or configuration that cannot run; exit code 2."""


class CommandFailed(Exception):
    """An expected failure (the store is unreachable, the profile lists no account); exit 1."""

"""Running ``legsync.adapters.cli.main`` inside the test process: it configures the ``legsync``
logger (and quiets the libraries') as the command does, and this puts them back afterwards, so
later tests' ``caplog`` and log lines are not affected."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["loggers_restored"]

_CONFIGURED = ("legsync", "stamina", "httpx", "httpcore")


@contextmanager
def loggers_restored() -> Iterator[None]:
    saved = [
        (logger, list(logger.handlers), logger.level, logger.propagate)
        for logger in map(logging.getLogger, _CONFIGURED)
    ]
    try:
        yield
    finally:
        for logger, handlers, level, propagate in saved:
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = propagate

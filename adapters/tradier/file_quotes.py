"""A quote source that reads a saved Tradier quotes response from a file.

With the file broker it lets an offline sync (the README's first command, the risk page's
example) record marks and so show P&L, without a network or a token. It reads the body through
the same parser as the HTTP broker, so it accepts and refuses exactly the same answers: a
missing file, an HTML page, an XML fault or truncated JSON is a failed quote read (which the
sync turns into a warning, the legs keeping their last price), never a set of prices.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from legsync.ports import BrokerUnavailable, Marks

from .wire import WireError, marks_from, parse_quotes_body

__all__ = ["EXAMPLE_QUOTES", "FileQuotes", "example_quotes_path"]

EXAMPLE_QUOTES = "example_quotes.json"
"""The sample quotes response shipped inside the package (and, identical, in ``examples/``),
pricing every symbol of the sample positions response."""


def example_quotes_path() -> Path:
    """Where the installed package keeps its sample quotes response."""
    return Path(str(resources.files(__package__ or __name__).joinpath(EXAMPLE_QUOTES)))


class FileQuotes:
    """Reads ``path``, a body saved from ``GET /markets/quotes``, on every fetch.

    The file is read again on each ``fetch_marks``, so editing it between syncs plays a
    sequence of prices. A mark is ``last``, or the bid/ask midpoint for a contract that has not
    traded; a symbol asked for that the file does not quote is ``unmatched``, and quotes of
    symbols not asked for are ignored.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"FileQuotes({str(self.path)!r})"

    @classmethod
    def example(cls) -> FileQuotes:
        """The quote source over the sample quotes response shipped with legsync."""
        return cls(example_quotes_path())

    def fetch_marks(self, occ_symbols: Sequence[str]) -> Marks:
        failure: BrokerUnavailable | None = None
        try:
            body = self.path.read_bytes()
        except OSError as error:
            what = error.strerror or type(error).__name__
            failure = BrokerUnavailable(f"cannot read quotes file {self.path}: {what}")
        if failure is not None:
            raise failure
        try:
            answer = parse_quotes_body(body, list(dict.fromkeys(occ_symbols)))
        except WireError as garbled:
            failure = BrokerUnavailable(f"quotes file {self.path}: {garbled.reason}")
        if failure is not None:
            raise failure
        return marks_from([answer])

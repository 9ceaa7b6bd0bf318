"""A broker that reads a saved Tradier positions response from a file.

It lets a user (and the README's first command) run the whole sync without a network or a
token, and it is held to the same rules as the HTTP broker through the same parser: a missing
file, an HTML page, an XML fault or truncated JSON is a failed read, never "no positions".
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from legsync.domain import BrokerSnapshot
from legsync.ports import BrokerUnavailable, Clock

from ..clock import SystemClock
from .wire import WireError, parse_positions_body

__all__ = ["EXAMPLE_POSITIONS", "FileBroker", "example_positions_path"]

EXAMPLE_POSITIONS = "example_positions.json"
"""The realistic sample response shipped inside the package (and, identical, in ``examples/``)."""


def example_positions_path() -> Path:
    """Where the installed package keeps its sample positions response."""
    return Path(str(resources.files(__package__ or __name__).joinpath(EXAMPLE_POSITIONS)))


class FileBroker:
    """Reads ``path``, a body saved from ``GET /accounts/{id}/positions``, on every fetch.

    The file is read again on each ``fetch_positions``, so editing it between syncs plays a
    sequence of broker answers. A saved body does not say whose positions it holds: give
    ``account_id`` to refuse reading it as any other account (mirroring one account's positions
    into another would be a silent, serious error); without it, the file answers for any
    account asked.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        account_id: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.path = Path(path)
        self.account_id = account_id
        self._clock: Clock = clock or SystemClock()

    def __repr__(self) -> str:
        return f"FileBroker({str(self.path)!r}, account_id={self.account_id!r})"

    @classmethod
    def example(cls, *, account_id: str | None = None, clock: Clock | None = None) -> FileBroker:
        """The broker over the sample response shipped with legsync."""
        return cls(example_positions_path(), account_id=account_id, clock=clock)

    def fetch_positions(self, account_id: str) -> BrokerSnapshot:
        if self.account_id is not None and account_id != self.account_id:
            raise BrokerUnavailable(
                f"{self.path} holds the positions of account {self.account_id}, not these",
                account_id=account_id,
            )
        failure: BrokerUnavailable | None = None
        try:
            body = self.path.read_bytes()
        except OSError as error:
            what = error.strerror or type(error).__name__
            failure = BrokerUnavailable(
                f"cannot read positions file {self.path}: {what}", account_id=account_id
            )
        if failure is not None:
            raise failure
        try:
            positions = parse_positions_body(body)
        except WireError as garbled:
            failure = BrokerUnavailable(
                f"positions file {self.path}: {garbled.reason}", account_id=account_id
            )
        if failure is not None:
            raise failure
        return BrokerSnapshot(
            account_id=account_id, positions=positions, fetched_at=self._clock.now()
        )

    def list_accounts(self) -> tuple[str, ...]:
        """The one account the file was declared to hold, if any."""
        return () if self.account_id is None else (self.account_id,)

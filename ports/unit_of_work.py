"""The transaction scope the application opens around one sync."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self

from .repository import PositionRepositoryPort, SyncRunRepositoryPort, TradeRepositoryPort

__all__ = ["AccountBusy", "UnitOfWork", "UnitOfWorkFactory"]


class AccountBusy(Exception):
    """Another sync holds the account and did not let go within the store's wait."""

    def __init__(self, account_id: str, detail: str = "") -> None:
        self.account_id = account_id
        extra = f": {detail}" if detail else ""
        super().__init__(f"another sync of account {account_id} is running{extra}")


class UnitOfWork(Protocol):
    """One transaction over the store.

    Used as a context manager: leaving it without :meth:`commit` rolls everything back, so an
    exception anywhere in a sync leaves the previous snapshot intact.
    """

    @property
    def positions(self) -> PositionRepositoryPort: ...

    @property
    def sync_runs(self) -> SyncRunRepositoryPort: ...

    @property
    def trades(self) -> TradeRepositoryPort: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def lock_account(self, account_id: str) -> None:
        """Serialise syncs of one account until this unit of work ends.

        Raises :class:`AccountBusy` when the lock cannot be had in the store's wait.
        """
        ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]

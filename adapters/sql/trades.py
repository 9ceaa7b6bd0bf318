"""``trades`` in the SQL store: the engine's trades, through the typed ORM rows."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import (
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Session

from legsync.domain import (
    Trade,
    TradeStatus,
)
from legsync.ports import TradeNotFound

from .rows import (
    TradeRow,
    trade_from_row,
    trade_values,
)

__all__ = ["SqlTradeRepository"]


class SqlTradeRepository:
    """``trades``; "open managed" is status open and managed 1 or NULL (legacy rows)."""

    def __init__(self, session: Session, dialect_name: str) -> None:
        self._session = session
        self._postgres = dialect_name == "postgresql"

    def add(self, trade: Trade) -> Trade:
        if trade.id is not None and self._session.get(TradeRow, trade.id) is not None:
            raise ValueError(f"a trade with id {trade.id} exists already")
        statement = insert(TradeRow).values(trade_values(trade)).returning(TradeRow.id)
        trade_id = self._session.execute(statement).scalar_one()
        if trade.id is not None and self._postgres:
            # An explicit id does not advance the id sequence; move it past the largest id so
            # the next trade without an id does not collide.
            self._session.execute(
                select(
                    func.setval(
                        func.pg_get_serial_sequence("trades", "id"),
                        select(func.max(TradeRow.id)).scalar_subquery(),
                    )
                )
            )
        return replace(trade, id=trade_id)

    def get(self, trade_id: int) -> Trade:
        return trade_from_row(self._row(trade_id))

    def _row(self, trade_id: int) -> TradeRow:
        row = self._session.get(TradeRow, trade_id)
        if row is None:
            raise TradeNotFound(trade_id)
        return row

    def list_trades(
        self, *, account_id: str | None = None, include_closed: bool = False
    ) -> list[Trade]:
        statement = select(TradeRow).order_by(TradeRow.id)
        if account_id is not None:
            statement = statement.where(TradeRow.account_id == account_id)
        if not include_closed:
            statement = statement.where(TradeRow.status == TradeStatus.OPEN.value)
        return [trade_from_row(row) for row in self._session.scalars(statement)]

    def open_managed(self, account_id: str | None = None) -> list[Trade]:
        statement = (
            select(TradeRow)
            .where(
                TradeRow.status == TradeStatus.OPEN.value,
                or_(TradeRow.managed == 1, TradeRow.managed.is_(None)),
            )
            .order_by(TradeRow.id)
        )
        if account_id is not None:
            statement = statement.where(TradeRow.account_id == account_id)
        return [trade_from_row(row) for row in self._session.scalars(statement)]

    def set_managed(self, trade_id: int, managed: bool) -> Trade:
        row = self._row(trade_id)
        row.managed = int(managed)
        self._session.flush()
        return trade_from_row(row)

    def close(self, trade_id: int) -> Trade:
        """Mark a trade closed (as :class:`InMemoryTradeRepository.close` does)."""
        row = self._row(trade_id)
        row.status = TradeStatus.CLOSED.value
        self._session.flush()
        return trade_from_row(row)

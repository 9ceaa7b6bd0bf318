"""The broker contract: what every ``BrokerPort`` promises the sync.

Above all: a snapshot comes back only from a successful read, exactly as the broker reported
it; every failure is a ``BrokerUnavailable``, never an empty snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from decimal import Decimal

import pytest

from legsync.domain import BrokerPosition
from legsync.ports import BrokerPort, BrokerUnavailable

__all__ = ["BrokerContract", "BrokerFactory", "FailingBrokerFactory"]

BrokerFactory = Callable[[str, Sequence[BrokerPosition]], BrokerPort]
FailingBrokerFactory = Callable[[str], BrokerPort]

ACCOUNT = "VA000001"

MIXED_BOOK = (
    BrokerPosition("AAPL", Decimal("100"), Decimal("17250.00")),
    BrokerPosition("SPY270319P00400000", Decimal("-2"), Decimal("-310.00")),
    BrokerPosition("SPY270319P00395000", Decimal("2"), Decimal("180.5")),
    BrokerPosition("SPXW270319C05800000", Decimal("1.00000000"), Decimal("1234.56")),
    BrokerPosition("XYZ270319C00002010", Decimal("-3"), None),
)


class BrokerContract:
    """Override :meth:`broker_holding` and :meth:`broker_failing` for your broker."""

    @pytest.fixture
    def broker_holding(self) -> BrokerFactory:
        """``(account_id, rows) -> broker`` that will report exactly those rows."""
        raise NotImplementedError("override the broker_holding fixture")

    @pytest.fixture
    def broker_failing(self) -> FailingBrokerFactory:
        """``(account_id) -> broker`` whose read of that account fails."""
        raise NotImplementedError("override the broker_failing fixture")

    def test_a_read_returns_every_row_as_reported(self, broker_holding: BrokerFactory) -> None:
        snapshot = broker_holding(ACCOUNT, MIXED_BOOK).fetch_positions(ACCOUNT)
        assert snapshot.account_id == ACCOUNT
        assert [(p.symbol, p.quantity, p.cost_basis) for p in snapshot.positions] == [
            (p.symbol, p.quantity, p.cost_basis) for p in MIXED_BOOK
        ]

    def test_quantities_and_cost_basis_are_exact_decimals(
        self, broker_holding: BrokerFactory
    ) -> None:
        snapshot = broker_holding(ACCOUNT, MIXED_BOOK).fetch_positions(ACCOUNT)
        for row in snapshot.positions:
            assert isinstance(row.quantity, Decimal)
            assert row.cost_basis is None or isinstance(row.cost_basis, Decimal)
        assert snapshot.positions[4].quantity == Decimal(-3)

    def test_a_single_position_is_a_snapshot_of_one(self, broker_holding: BrokerFactory) -> None:
        only = (BrokerPosition("SPY270319C00450000", Decimal("-1"), Decimal("-95.0")),)
        snapshot = broker_holding(ACCOUNT, only).fetch_positions(ACCOUNT)
        assert [(p.symbol, p.quantity) for p in snapshot.positions] == [
            ("SPY270319C00450000", Decimal(-1))
        ]

    def test_no_positions_is_an_explicit_empty_snapshot(
        self, broker_holding: BrokerFactory
    ) -> None:
        assert broker_holding(ACCOUNT, ()).fetch_positions(ACCOUNT).positions == ()

    def test_the_read_time_is_aware_utc(self, broker_holding: BrokerFactory) -> None:
        snapshot = broker_holding(ACCOUNT, MIXED_BOOK).fetch_positions(ACCOUNT)
        assert snapshot.fetched_at.utcoffset() == timedelta(0)

    def test_a_failed_read_raises_and_never_looks_empty(
        self, broker_failing: FailingBrokerFactory
    ) -> None:
        broker = broker_failing(ACCOUNT)
        with pytest.raises(BrokerUnavailable) as failure:
            broker.fetch_positions(ACCOUNT)
        assert failure.value.reason
        assert str(failure.value).startswith("broker read failed")

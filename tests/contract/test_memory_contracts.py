"""The in-memory fakes pass the same contracts as the real adapters, so tests that use them
say something true about production."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from legsync.adapters.contracts import BrokerContract, StoreContract
from legsync.adapters.contracts.broker import BrokerFactory, FailingBrokerFactory
from legsync.adapters.memory import InMemoryBroker, InMemoryDatabase
from legsync.domain import BrokerPosition
from legsync.ports import UnitOfWorkFactory


class TestInMemoryStore(StoreContract):
    @pytest.fixture
    def uow_factory(self) -> UnitOfWorkFactory:
        return InMemoryDatabase()


class TestInMemoryBroker(BrokerContract):
    @pytest.fixture
    def broker_holding(self) -> BrokerFactory:
        def make(account_id: str, rows: Sequence[BrokerPosition]) -> InMemoryBroker:
            return InMemoryBroker({account_id: rows})

        return make

    @pytest.fixture
    def broker_failing(self) -> FailingBrokerFactory:
        def make(account_id: str) -> InMemoryBroker:
            broker = InMemoryBroker({account_id: ()})
            broker.fail_next(account_id, "connection reset")
            return broker

        return make

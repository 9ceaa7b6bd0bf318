"""The in-memory store passes the same contract as the SQL store, so tests that use it say
something true about production. (The in-memory broker runs its contract beside the file and
Tradier brokers, in test_broker_contracts.py.)"""

from __future__ import annotations

import pytest

from legsync.ports import UnitOfWorkFactory
from legsync.testing import InMemoryDatabase
from legsync.testing.contracts import StoreContract


class TestInMemoryStore(StoreContract):
    @pytest.fixture
    def uow_factory(self) -> UnitOfWorkFactory:
        return InMemoryDatabase()

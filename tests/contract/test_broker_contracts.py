"""Every broker passes the same contract: the in-memory fake, the file broker, and the Tradier
broker over a real local HTTP server. So the sync can be tested against any of them and say
something true about the others."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from legsync.adapters.tradier import FileBroker, RetryPolicy, TradierBroker
from legsync.domain import BrokerPosition
from legsync.testing import InMemoryBroker
from legsync.testing.contracts import BrokerContract
from legsync.testing.contracts.broker import BrokerFactory, FailingBrokerFactory
from tests.support.tradier_server import (
    Reply,
    TradierServer,
    fault_body,
    positions_body,
    tradier_server,
)

INSTANT = RetryPolicy(attempts=2, total_seconds=5.0, wait_initial=0, wait_max=0, wait_jitter=0)


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


class TestFileBroker(BrokerContract):
    """A saved body written the way Tradier writes it: a bare object for one row, "null" for
    none, the rows' Decimals digit for digit."""

    @pytest.fixture
    def broker_holding(self, tmp_path: Path) -> BrokerFactory:
        def make(account_id: str, rows: Sequence[BrokerPosition]) -> FileBroker:
            path = tmp_path / f"{account_id}-positions.json"
            path.write_bytes(positions_body(rows))
            return FileBroker(path, account_id=account_id)

        return make

    @pytest.fixture
    def broker_failing(self, tmp_path: Path) -> FailingBrokerFactory:
        def make(account_id: str) -> FileBroker:
            path = tmp_path / f"{account_id}-positions.json"
            path.write_bytes(positions_body(())[:-3])  # saved while the download was cut off
            return FileBroker(path, account_id=account_id)

        return make


class TestTradierBroker(BrokerContract):
    """Over a real socket to a local server that answers in Tradier's wire format."""

    @pytest.fixture
    def server(self) -> Iterator[TradierServer]:
        with tradier_server() as running:
            yield running

    @pytest.fixture
    def brokers(self, server: TradierServer) -> Iterator[list[TradierBroker]]:
        made: list[TradierBroker] = []
        yield made
        for broker in made:
            broker.close()

    def _broker(self, server: TradierServer, made: list[TradierBroker]) -> TradierBroker:
        broker = TradierBroker(
            "contract-test-token", base_url=server.base_url, retry=INSTANT, timeout=2.0
        )
        made.append(broker)
        return broker

    @pytest.fixture
    def broker_holding(self, server: TradierServer, brokers: list[TradierBroker]) -> BrokerFactory:
        def make(account_id: str, rows: Sequence[BrokerPosition]) -> TradierBroker:
            server.reply(
                "GET", f"/accounts/{account_id}/positions", Reply(body=positions_body(rows))
            )
            return self._broker(server, brokers)

        return make

    @pytest.fixture
    def broker_failing(
        self, server: TradierServer, brokers: list[TradierBroker]
    ) -> FailingBrokerFactory:
        def make(account_id: str) -> TradierBroker:
            server.reply(
                "GET",
                f"/accounts/{account_id}/positions",
                Reply(status=500, body=fault_body("Datastore Error")),
            )
            return self._broker(server, brokers)

        return make

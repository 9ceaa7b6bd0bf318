"""Every quote source passes the same contract: the in-memory fake, a saved quotes file, and
the Tradier broker over a real local HTTP server."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path

import pytest

from legsync.adapters.tradier import FileQuotes, RetryPolicy, TradierBroker
from legsync.ports import BrokerUnavailable
from legsync.testing import InMemoryQuotes
from legsync.testing.contracts import QuoteContract
from legsync.testing.contracts.quotes import FailingQuotesFactory, QuotesFactory
from tests.support.tradier_server import (
    Reply,
    TradierServer,
    fault_body,
    quotes_body,
    tradier_server,
)

INSTANT = RetryPolicy(attempts=2, total_seconds=5.0, wait_initial=0, wait_max=0, wait_jitter=0)


def quoted(prices: Mapping[str, Decimal]) -> bytes:
    """A quotes answer as Tradier writes it, each symbol at its price as the last trade."""
    return quotes_body(
        [
            {"symbol": symbol, "type": "stock" if symbol.isalpha() else "option", "last": price}
            for symbol, price in prices.items()
        ]
    )


class TestInMemoryQuotes(QuoteContract):
    @pytest.fixture
    def quotes_pricing(self) -> QuotesFactory:
        return InMemoryQuotes

    @pytest.fixture
    def quotes_failing(self) -> FailingQuotesFactory:
        def make() -> InMemoryQuotes:
            quotes = InMemoryQuotes()
            quotes.failure = BrokerUnavailable("connection reset")
            return quotes

        return make


class TestFileQuotes(QuoteContract):
    @pytest.fixture
    def quotes_pricing(self, tmp_path: Path) -> QuotesFactory:
        def make(prices: Mapping[str, Decimal]) -> FileQuotes:
            path = tmp_path / "quotes.json"
            path.write_bytes(quoted(prices))
            return FileQuotes(path)

        return make

    @pytest.fixture
    def quotes_failing(self, tmp_path: Path) -> FailingQuotesFactory:
        def make() -> FileQuotes:
            path = tmp_path / "quotes.json"
            path.write_bytes(quoted({"AAPL": Decimal("187.2")})[:-4])  # a download cut off
            return FileQuotes(path)

        return make


class TestTradierQuotes(QuoteContract):
    """Over a real socket to a local server that answers in Tradier's wire format."""

    @pytest.fixture
    def server(self) -> Iterator[TradierServer]:
        with tradier_server() as running:
            yield running

    @pytest.fixture
    def brokers(self) -> Iterator[list[TradierBroker]]:
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
    def quotes_pricing(self, server: TradierServer, brokers: list[TradierBroker]) -> QuotesFactory:
        def make(prices: Mapping[str, Decimal]) -> TradierBroker:
            server.reply("POST", "/markets/quotes", Reply(body=quoted(prices)))
            return self._broker(server, brokers)

        return make

    @pytest.fixture
    def quotes_failing(
        self, server: TradierServer, brokers: list[TradierBroker]
    ) -> FailingQuotesFactory:
        def make() -> TradierBroker:
            server.reply(
                "POST", "/markets/quotes", Reply(status=500, body=fault_body("Datastore Error"))
            )
            return self._broker(server, brokers)

        return make

"""The container wires the sync from configuration, and a test swaps any adapter in one line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from legsync.adapters.container import Container
from legsync.testing import InMemoryBroker, InMemoryDatabase, ManualClock, position


def test_the_default_wiring_is_in_memory_and_syncs() -> None:
    container = Container()
    broker = container.broker()
    assert isinstance(broker, InMemoryBroker)
    broker.set_positions("VA000001", [position("SPY270319C00450000", "1", "300")])
    result = container.sync_service().sync("VA000001")
    assert result.success
    assert result.counts.opened == 1
    assert isinstance(container.store(), InMemoryDatabase)


def test_overriding_the_broker_swaps_it_everywhere() -> None:
    container = Container()
    fake = InMemoryBroker({"6YA000002": [position("QQQ270618P00450500", "-1", "-75")]})
    clock = ManualClock()
    with container.broker.override(fake), container.clock.override(clock):
        service = container.sync_service()
        assert service.broker is fake
        assert service.sync("6YA000002").counts.opened == 1
    assert container.broker() is not fake


def test_the_file_broker_is_chosen_by_configuration() -> None:
    from legsync.adapters.tradier import example_positions_path

    container = Container()
    container.config.from_dict({"broker": "file", "positions_file": str(example_positions_path())})
    result = container.sync_service().sync("VA000001")
    assert result.success
    assert result.counts.opened > 0
    assert container.quotes() is None


def test_with_a_quotes_file_the_file_broker_has_a_quote_source_that_prices_its_holdings() -> None:
    from legsync.adapters.tradier import FileQuotes, example_positions_path, example_quotes_path

    container = Container()
    container.config.from_dict(
        {
            "broker": "file",
            "positions_file": str(example_positions_path()),
            "quotes_file": str(example_quotes_path()),
        }
    )
    quotes = container.quotes()
    assert isinstance(quotes, FileQuotes)
    assert quotes.path == example_quotes_path()
    result = container.sync_service().sync("VA000001", marks=True)
    assert (result.success, result.warnings) == (True, ())
    with container.store()() as uow:
        legs = uow.positions.all_legs("VA000001")
        shares = uow.positions.stock("VA000001")
    assert legs
    assert all(leg.last_price is not None and leg.marked_at is not None for leg in legs)
    assert [(s.symbol, s.last_price) for s in shares] == [("AAPL", Decimal("227.48"))]


def test_tradier_without_a_token_is_a_configuration_error_naming_the_setting() -> None:
    from legsync.adapters.settings import ConfigurationError

    container = Container()
    container.config.from_dict(
        {"broker": "tradier", "tradier": {"token": None, "base_url": "http://127.0.0.1:9/v1"}}
    )
    with pytest.raises(ConfigurationError, match="LEGSYNC_TRADIER_TOKEN"):
        container.broker()


def test_the_risk_service_reads_the_store_the_sync_writes_and_the_clock_it_is_given() -> None:
    from legsync.application.risk import RiskService

    container = Container()
    clock = ManualClock()
    broker = container.broker()
    broker.set_positions(
        "VA000001",
        [position("SPY270319P00540000", "-2", "-1184"), position("SPY270319P00530000", "2", "862")],
    )
    with container.clock.override(clock):
        container.sync_service().sync("VA000001")
        service = container.risk_service()
        assert isinstance(service, RiskService)
        assert service.uow_factory is container.store()
        assert service.clock is clock
        (account,) = service.report().accounts
    (spread,) = account.structures
    assert spread.structure.kind == "bull_put_spread"
    assert spread.risk.net_premium == 322

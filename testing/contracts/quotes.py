"""The quotes contract: what every ``QuotePort`` promises the sync's marks.

A price comes back only for a symbol that was asked for and that the source quoted, exactly
as quoted; a symbol asked for and not quoted is ``unmatched`` (never priced at zero); a read
that fails raises ``BrokerUnavailable`` (the sync then keeps every leg's last price).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

import pytest

from legsync.ports import BrokerUnavailable, QuotePort

__all__ = ["FailingQuotesFactory", "QuoteContract", "QuotesFactory"]

QuotesFactory = Callable[[Mapping[str, Decimal]], QuotePort]
FailingQuotesFactory = Callable[[], QuotePort]

SHORT_PUT = "SPY270319P00540000"
LONG_PUT = "SPY270319P00530000"
INDEX_CALL = "SPXW270331C06800000"
SHARES = "AAPL"
PRICES = {
    SHORT_PUT: Decimal("4.85"),
    LONG_PUT: Decimal("3.52"),
    INDEX_CALL: Decimal("101.35"),
    SHARES: Decimal("187.205"),
}


class QuoteContract:
    """Override :meth:`quotes_pricing` and :meth:`quotes_failing` for your quote source."""

    @pytest.fixture
    def quotes_pricing(self) -> QuotesFactory:
        """``(prices) -> source`` that quotes exactly those symbols, each at its price (as the
        last trade), and knows no other."""
        raise NotImplementedError("override the quotes_pricing fixture")

    @pytest.fixture
    def quotes_failing(self) -> FailingQuotesFactory:
        """``() -> source`` whose every read fails."""
        raise NotImplementedError("override the quotes_failing fixture")

    def test_every_symbol_asked_and_quoted_is_priced_exactly(
        self, quotes_pricing: QuotesFactory
    ) -> None:
        marks = quotes_pricing(PRICES).fetch_marks(list(PRICES))
        assert marks.prices == PRICES
        assert all(isinstance(price, Decimal) for price in marks.prices.values())
        assert marks.unmatched == ()

    def test_a_symbol_asked_and_not_quoted_is_unmatched_never_priced(
        self, quotes_pricing: QuotesFactory
    ) -> None:
        unknown = "ZZZ270319C00001000"
        marks = quotes_pricing({SHORT_PUT: PRICES[SHORT_PUT]}).fetch_marks([SHORT_PUT, unknown])
        assert marks.prices == {SHORT_PUT: PRICES[SHORT_PUT]}
        assert marks.unmatched == (unknown,)

    def test_only_the_symbols_asked_for_are_priced(self, quotes_pricing: QuotesFactory) -> None:
        marks = quotes_pricing(PRICES).fetch_marks([LONG_PUT])
        assert marks.prices == {LONG_PUT: PRICES[LONG_PUT]}

    def test_asking_for_nothing_prices_nothing(self, quotes_pricing: QuotesFactory) -> None:
        marks = quotes_pricing(PRICES).fetch_marks([])
        assert (marks.prices, marks.unmatched) == ({}, ())

    def test_a_failed_read_raises_broker_unavailable(
        self, quotes_failing: FailingQuotesFactory
    ) -> None:
        with pytest.raises(BrokerUnavailable):
            quotes_failing().fetch_marks([SHORT_PUT, SHARES])

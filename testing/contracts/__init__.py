"""Contract suites every adapter of a port must pass, shipped so that users' adapters can too.

Subclass a contract in a ``Test...`` class of your own test suite and override its fixtures::

    from legsync.testing.contracts import StoreContract

    class TestMyStore(StoreContract):
        @pytest.fixture
        def uow_factory(self, tmp_path):
            return MyStore(tmp_path / "store")      # a fresh, empty store

Importing this package needs pytest (install legsync's ``test`` extras).
"""

from .broker import BrokerContract
from .quotes import QuoteContract
from .store import StoreContract

__all__ = ["BrokerContract", "QuoteContract", "StoreContract"]

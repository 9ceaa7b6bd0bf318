"""legsync's domain: option legs, OCC symbols, trades and the events of a sync.

Plain Python only (dataclasses, enums, Decimal, date): no I/O, no clock, no framework, and no
import of any other legsync layer.
"""

from .enums import OptionType, Origin, Side, TradeStatus
from .events import PositionEvent, PositionRemoved, PositionSynced
from .legs import MAX_CONTRACTS, LegKey, OptionLeg, amount_fits, canonical_decimal
from .occ import InvalidOccSymbol, OccSymbol, parse_occ_symbol
from .snapshot import BrokerPosition, BrokerSnapshot
from .stock import StockPosition
from .stored import LegRecord, StoredLegs
from .sync_run import SyncRun
from .trades import Trade, TradeLeg
from .underlying import underlying_for_root

__all__ = [
    "MAX_CONTRACTS",
    "BrokerPosition",
    "BrokerSnapshot",
    "InvalidOccSymbol",
    "LegKey",
    "LegRecord",
    "OccSymbol",
    "OptionLeg",
    "OptionType",
    "Origin",
    "PositionEvent",
    "PositionRemoved",
    "PositionSynced",
    "Side",
    "StockPosition",
    "StoredLegs",
    "SyncRun",
    "Trade",
    "TradeLeg",
    "TradeStatus",
    "amount_fits",
    "canonical_decimal",
    "parse_occ_symbol",
    "underlying_for_root",
]

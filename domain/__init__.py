"""legsync's domain: option legs, OCC symbols, trades and the events of a sync.

Plain Python only (dataclasses, enums, Decimal, date): no I/O, no clock, no framework, and no
import of any other legsync layer.
"""

from .claims import LegClaims, claims_on_legs, contract_ratios, contracts_claimed
from .enums import OptionType, Origin, Side, TradeStatus
from .events import (
    FindingKind,
    PositionEvent,
    PositionRemoved,
    PositionSynced,
    ReconciliationFinding,
    StockEvent,
    StockPositionRemoved,
    StockPositionSynced,
)
from .legs import (
    MAX_CONTRACTS,
    LegKey,
    OptionLeg,
    amount_fits,
    canonical_decimal,
    cost_basis_per_contract,
    cost_per_unit,
)
from .occ import InvalidOccSymbol, OccSymbol, parse_occ_symbol
from .snapshot import BrokerPosition, BrokerSnapshot
from .stock import StockPosition
from .stored import ContractSide, LegRecord, StoredLegs
from .sync_run import SyncCounts, SyncRun
from .trades import InvalidTrade, Trade, TradeEnvelope, TradeLeg, check_new_trade
from .underlying import underlying_for_root

__all__ = [
    "MAX_CONTRACTS",
    "BrokerPosition",
    "BrokerSnapshot",
    "ContractSide",
    "FindingKind",
    "InvalidOccSymbol",
    "InvalidTrade",
    "LegClaims",
    "LegKey",
    "LegRecord",
    "OccSymbol",
    "OptionLeg",
    "OptionType",
    "Origin",
    "PositionEvent",
    "PositionRemoved",
    "PositionSynced",
    "ReconciliationFinding",
    "Side",
    "StockEvent",
    "StockPosition",
    "StockPositionRemoved",
    "StockPositionSynced",
    "StoredLegs",
    "SyncCounts",
    "SyncRun",
    "Trade",
    "TradeEnvelope",
    "TradeLeg",
    "TradeStatus",
    "amount_fits",
    "canonical_decimal",
    "check_new_trade",
    "claims_on_legs",
    "contract_ratios",
    "contracts_claimed",
    "cost_basis_per_contract",
    "cost_per_unit",
    "parse_occ_symbol",
    "underlying_for_root",
]

"""Every strategy the classifier names: its legs, its kind and its figures, worked by hand.

Legs are written as a trader reads them: ``"-2 C105 @240"`` is two short 105 calls of the
near expiration (F, 2024-01-19; G is 2024-02-16) with a cost basis of 240 dollars per
contract; ``"+100 SH @50"`` is 100 shares long bought at 50. Figures are dollars for the whole
structure: ``net_premium`` received (+) or paid (-), ``max_profit``, ``max_loss`` (``None``
unbounded, ``"unknown"`` when nobody can say) and the breakevens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from legsync.domain import OptionLeg, Side, parse_occ_symbol
from legsync.domain.classification import classify
from legsync.domain.kinds import StructureKind as K
from legsync.domain.risk import premium_from_basis, structure_risk
from legsync.domain.stock import StockPosition

ACCOUNT = "VA000001"
AT = datetime(2024, 1, 2, 15, 0, tzinfo=UTC)
_EXPIRY = {"F": "240119", "G": "240216"}


def holding(text: str) -> OptionLeg | StockPosition:
    """``"+1 C100 @500"``, ``"-2 P95 G @240"`` or ``"+100 SH @50"`` (see the module's doc)."""
    quantity, what, *rest = text.split()
    expiry = rest[0] if len(rest) == 2 else "F"
    basis = Decimal(rest[-1].removeprefix("@"))
    if what == "SH":
        return StockPosition(ACCOUNT, "SPY", Decimal(quantity), basis, None, AT)
    strike = int(what[1:])
    symbol = f"SPY{_EXPIRY[expiry]}{what[0]}{strike * 1000:08d}"
    count = int(quantity)
    return OptionLeg(
        ACCOUNT,
        parse_occ_symbol(symbol),
        Side.LONG if count > 0 else Side.SHORT,
        abs(count),
        basis,
        None,
        AT,
    )


Figure = str | None


@dataclass(frozen=True)
class Case:
    kind: K
    holdings: tuple[str, ...]
    net_premium: str
    max_profit: Figure
    max_loss: Figure
    breakevens: tuple[str, ...] = ()
    quantity: int = 1


UNKNOWN = "unknown"

TABLE = [
    Case(K.LONG_CALL, ("+1 C100 @300",), "-300", None, "300", ("103",)),
    Case(K.SHORT_CALL, ("-1 C100 @300",), "300", "300", None, ("103",)),
    Case(K.LONG_PUT, ("+1 P100 @300",), "-300", "9700", "300", ("97",)),
    Case(K.SHORT_PUT, ("-1 P100 @300",), "300", "300", "9700", ("97",)),
    Case(K.LONG_STOCK, ("+100 SH @50",), "-5000", None, "5000", ("50",)),
    Case(K.SHORT_STOCK, ("-100 SH @50",), "5000", "5000", None, ("50",)),
    Case(K.COVERED_CALL, ("+100 SH @50", "-1 C55 @200"), "-4800", "700", "4800", ("48",)),
    Case(K.COVERED_PUT, ("-100 SH @50", "-1 P45 @200"), "5200", "700", None, ("52",)),
    Case(K.PROTECTIVE_CALL, ("-100 SH @50", "+1 C55 @200"), "4800", "4800", "700", ("48",)),
    Case(K.PROTECTIVE_PUT, ("+100 SH @50", "+1 P45 @200"), "-5200", None, "700", ("52",)),
    Case(K.COLLAR, ("+100 SH @50", "+1 P45 @200", "-1 C55 @150"), "-5050", "450", "550",
         ("50.5",)),
    # A conversion locks in its value: 50 made whatever happens (a loss of -50), no breakeven.
    Case(K.CONVERSION, ("+100 SH @50", "+1 P50 @300", "-1 C50 @350"), "-4950", "50", "-50"),
    Case(K.REVERSE_CONVERSION, ("-100 SH @50", "-1 P50 @300", "+1 C50 @350"), "4950", "-50",
         "50"),
    Case(K.BULL_CALL_SPREAD, ("+1 C100 @500", "-1 C110 @200"), "-300", "700", "300", ("103",)),
    Case(K.BEAR_CALL_SPREAD, ("-1 C100 @500", "+1 C110 @200"), "300", "300", "700", ("103",)),
    Case(K.BULL_PUT_SPREAD, ("+1 P100 @200", "-1 P110 @500"), "300", "300", "700", ("107",)),
    Case(K.BEAR_PUT_SPREAD, ("-1 P100 @200", "+1 P110 @500"), "-300", "700", "300", ("107",)),
    Case(K.LONG_STRADDLE, ("+1 P100 @300", "+1 C100 @300"), "-600", None, "600", ("94", "106")),
    Case(K.SHORT_STRADDLE, ("-1 P100 @300", "-1 C100 @300"), "600", "600", None, ("94", "106")),
    Case(K.LONG_STRANGLE, ("+1 P95 @200", "+1 C105 @200"), "-400", None, "400", ("91", "109")),
    Case(K.SHORT_STRANGLE, ("-1 P95 @200", "-1 C105 @200"), "400", "400", None, ("91", "109")),
    Case(K.LONG_CALL_BUTTERFLY, ("+1 C90 @1100", "-2 C100 @400", "+1 C110 @100"), "-400", "600",
         "400", ("94", "106")),
    Case(K.SHORT_CALL_BUTTERFLY, ("-1 C90 @1100", "+2 C100 @400", "-1 C110 @100"), "400", "400",
         "600", ("94", "106")),
    Case(K.LONG_PUT_BUTTERFLY, ("+1 P90 @100", "-2 P100 @400", "+1 P110 @1100"), "-400", "600",
         "400", ("94", "106")),
    Case(K.SHORT_PUT_BUTTERFLY, ("-1 P90 @100", "+2 P100 @400", "-1 P110 @1100"), "400", "400",
         "600", ("94", "106")),
    Case(K.BROKEN_WING_CALL_BUTTERFLY, ("+1 C90 @1100", "-2 C100 @400", "+1 C120 @50"), "-350",
         "650", "1350", ("93.5", "106.5")),
    Case(K.BROKEN_WING_PUT_BUTTERFLY, ("+1 P80 @50", "-2 P100 @400", "+1 P110 @1100"), "-350",
         "650", "1350", ("93.5", "106.5")),
    Case(K.IRON_CONDOR, ("+1 P90 @100", "-1 P95 @250", "-1 C105 @250", "+1 C110 @100"), "300",
         "300", "200", ("92", "108")),
    Case(K.REVERSE_IRON_CONDOR, ("-1 P90 @100", "+1 P95 @250", "+1 C105 @250", "-1 C110 @100"),
         "-300", "200", "300", ("92", "108")),
    Case(K.IRON_BUTTERFLY, ("+1 P90 @100", "-1 P100 @500", "-1 C100 @500", "+1 C110 @100"), "800",
         "800", "200", ("92", "108")),
    Case(K.REVERSE_IRON_BUTTERFLY,
         ("-1 P90 @100", "+1 P100 @500", "+1 C100 @500", "-1 C110 @100"), "-800", "200", "800",
         ("92", "108")),
    # A box is worth its width (1,000) at expiry whatever happens: bought for 990, 10 is made.
    Case(K.LONG_BOX, ("+1 C100 @700", "-1 C110 @200", "+1 P110 @600", "-1 P100 @110"), "-990",
         "10", "-10"),
    Case(K.SHORT_BOX, ("-1 C100 @700", "+1 C110 @200", "-1 P110 @600", "+1 P100 @110"), "990",
         "-10", "10"),
    # Across expirations: a long calendar's loss is its debit; the rest is unknown.
    Case(K.LONG_CALL_CALENDAR, ("-1 C100 F @200", "+1 C100 G @350"), "-150", UNKNOWN, "150",
         (UNKNOWN,)),
    Case(K.LONG_PUT_CALENDAR, ("-1 P100 F @200", "+1 P100 G @350"), "-150", UNKNOWN, "150",
         (UNKNOWN,)),
    Case(K.SHORT_CALL_CALENDAR, ("+1 C100 F @200", "-1 C100 G @350"), "150", UNKNOWN, UNKNOWN,
         (UNKNOWN,)),
    Case(K.SHORT_PUT_CALENDAR, ("+1 P100 F @200", "-1 P100 G @350"), "150", UNKNOWN, UNKNOWN,
         (UNKNOWN,)),
    # A long diagonal whose far strike is 5 worse: the debit (here a credit of 50) plus 500.
    Case(K.LONG_CALL_DIAGONAL, ("-1 C100 F @300", "+1 C105 G @250"), "50", UNKNOWN, "450",
         (UNKNOWN,)),
    Case(K.LONG_PUT_DIAGONAL, ("-1 P100 F @300", "+1 P95 G @250"), "50", UNKNOWN, "450",
         (UNKNOWN,)),
    Case(K.SHORT_CALL_DIAGONAL, ("+1 C100 F @300", "-1 C105 G @250"), "-50", UNKNOWN, UNKNOWN,
         (UNKNOWN,)),
    Case(K.SHORT_PUT_DIAGONAL, ("+1 P100 F @300", "-1 P95 G @250"), "-50", UNKNOWN, UNKNOWN,
         (UNKNOWN,)),
    Case(K.JELLY_ROLL, ("-1 C100 F @300", "+1 C100 G @400", "+1 P100 F @250", "-1 P100 G @320"),
         "-30", UNKNOWN, UNKNOWN, (UNKNOWN,)),
    Case(K.SHORT_JELLY_ROLL,
         ("+1 C100 F @300", "-1 C100 G @400", "-1 P100 F @250", "+1 P100 G @320"), "30", UNKNOWN,
         UNKNOWN, (UNKNOWN,)),
    Case(K.BULL_CALL_LADDER, ("+1 C100 @500", "-1 C105 @300", "-1 C110 @150"), "-50", "450", None,
         ("100.5", "114.5")),
    Case(K.BEAR_CALL_LADDER, ("-1 C100 @500", "+1 C105 @300", "+1 C110 @150"), "50", None, "450",
         ("100.5", "114.5")),
    Case(K.BULL_PUT_LADDER, ("+1 P90 @150", "+1 P95 @300", "-1 P100 @500"), "50", "8550", "450",
         ("85.5", "99.5")),
    Case(K.BEAR_PUT_LADDER, ("-1 P90 @150", "-1 P95 @300", "+1 P100 @500"), "-50", "450", "8550",
         ("85.5", "99.5")),
    Case(K.CALL_BACKSPREAD, ("-1 C100 @500", "+2 C105 @240"), "20", None, "480",
         ("100.2", "109.8")),
    Case(K.PUT_BACKSPREAD, ("+2 P95 @240", "-1 P100 @500"), "20", "9020", "480",
         ("90.2", "99.8")),
    Case(K.SHORT_CALL_BACKSPREAD, ("+1 C100 @500", "-2 C105 @240"), "-20", "480", None,
         ("100.2", "109.8")),
    Case(K.SHORT_PUT_BACKSPREAD, ("-2 P95 @240", "+1 P100 @500"), "-20", "480", "9020",
         ("90.2", "99.8")),
    Case(K.JADE_LIZARD, ("-1 P95 @200", "-1 C105 @200", "+1 C110 @100"), "300", "300", "9200",
         ("92", "108")),
    # Two short calls under two long ones match no strategy as a whole (a bear call ladder
    # would leave a naked call, adding an unbounded loss to a set whose loss is capped): one
    # custom structure, with the whole set's risk.
    Case(K.CUSTOM, ("-2 C100 @500", "+1 C105 @300", "+1 C110 @150"), "550", "550", "950",
         ("102.75",)),
    Case(K.BULL_PUT_SPREAD, ("+3 P100 @200", "-3 P110 @500"), "900", "900", "2100", ("107",), 3),
    Case(K.LONG_CALL_BUTTERFLY, ("+2 C90 @1100", "-4 C100 @400", "+2 C110 @100"), "-800", "1200",
         "800", ("94", "106"), 2),
]  # fmt: skip


@pytest.mark.parametrize("case", TABLE, ids=lambda case: f"{case.kind.value}x{case.quantity}")
def test_the_strategy_is_named_and_its_figures_are_the_hand_worked_ones(case: Case) -> None:
    held = [holding(text) for text in case.holdings]
    (structure,) = classify(
        [h for h in held if isinstance(h, OptionLeg)],
        [h for h in held if isinstance(h, StockPosition)],
    )
    assert (structure.kind, structure.quantity) == (case.kind, case.quantity)

    risk = structure_risk(structure, premium_from_basis(structure))
    assert risk.net_premium == Decimal(case.net_premium)
    for name, expected in (("max_profit", case.max_profit), ("max_loss", case.max_loss)):
        if expected == UNKNOWN:
            assert name in risk.unknown, name
        elif expected is None:
            assert risk.is_unbounded(name), name
        else:
            assert getattr(risk, name) == Decimal(expected), name
    if case.breakevens == (UNKNOWN,):
        assert "breakevens" in risk.unknown
    else:
        assert risk.breakevens == tuple(Decimal(b) for b in case.breakevens)
        assert "breakevens" not in risk.unknown


def test_every_kind_has_a_case_in_the_table() -> None:
    assert {case.kind for case in TABLE} == set(K)


def test_the_issues_butterfly_loses_at_most_150_not_the_verticals_1150() -> None:
    legs = [holding("+1 C540 @1000"), holding("-2 C550 @450"), holding("+1 C560 @50")]
    (butterfly,) = classify(legs)  # type: ignore[arg-type]
    risk = structure_risk(butterfly, premium_from_basis(butterfly))
    assert (butterfly.kind, risk.max_loss, risk.max_profit) == (
        K.LONG_CALL_BUTTERFLY,
        Decimal(150),
        Decimal(850),
    )

"""What a structure can make and lose: true by construction, unknown where nobody can say.

One expiration: max profit, max loss and breakevens are read off the payoff at expiry
(:mod:`legsync.domain.payoff`), whatever the structure's name, so a butterfly shows the
butterfly's loss and not the sum of two verticals'. Whether a figure is unbounded follows from
the payoff's slope alone, so it is known even when the premium is not.

Across expirations the far legs still have a market value when the near ones expire, so no
formula gives the payoff. What is known is said: a long calendar (short near, long far, one
strike) cannot lose more than its debit, and a long diagonal more than its debit plus the
strike difference against it, as long as the far leg is worth its intrinsic value at the near
expiration. Everything else across expirations is unknown, never guessed.

Adjusted contracts (a root ending in a digit: AAPL1, SPY7) may deliver anything but 100
shares; their dollar figures and breakevens are unknown and a note says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal, localcontext

from .enums import OptionType
from .kinds import StructureKind
from .payoff import CONTRACT_MULTIPLIER, expiry_risk
from .structures import Structure

__all__ = ["FIGURES", "StructureRisk", "premium_from_basis", "structure_risk"]

FIGURES = ("net_premium", "max_profit", "max_loss", "breakevens")
"""The figures a risk reports; ``unknown`` names those nobody can say."""

_EXACT = Context(prec=80)


@dataclass(frozen=True, slots=True)
class StructureRisk:
    """Dollars for the whole structure. ``net_premium`` is the cash that opened it (positive
    received, negative paid); ``max_loss`` is a positive amount lost (negative when every
    outcome gains). A ``None`` figure is unbounded unless its name is in ``unknown``; ``notes``
    say in words why a figure is unknown."""

    net_premium: Decimal | None
    max_profit: Decimal | None
    max_loss: Decimal | None
    breakevens: tuple[Decimal, ...]
    unknown: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def is_unbounded(self, figure: str) -> bool:
        """Whether ``max_profit`` or ``max_loss`` has no limit (rather than being unknown)."""
        return getattr(self, figure) is None and figure not in self.unknown


def premium_from_basis(structure: Structure) -> Decimal | None:
    """The net premium from the mirrored cost bases (dollars per contract, per share), or
    None when any part has none: shorts received their basis, longs paid it."""
    with localcontext(_EXACT):
        total = Decimal(0)
        for part in structure.parts:
            basis = part.leg.cost_basis_per_contract
            if basis is None:
                return None
            total -= part.leg.side.sign * basis * part.contracts
        if structure.stock is not None:
            per_share = structure.stock.position.cost_basis_per_share
            if per_share is None:
                return None
            total -= structure.stock.side.sign * per_share * structure.stock.shares
        return total


def structure_risk(structure: Structure, net_premium: Decimal | None) -> StructureRisk:
    """The risk of ``structure`` opened for ``net_premium`` (None when it is not known)."""
    if not structure.standard_deliverable:
        return StructureRisk(
            net_premium,
            None,
            None,
            (),
            unknown=_unknown(net_premium, "max_profit", "max_loss", "breakevens"),
            notes=(
                f"{structure.root} is an adjusted contract: its deliverable is not known, so "
                "no figure assumes 100 shares",
            ),
        )
    if len(structure.expirations) > 1:
        return _across_expirations(structure, net_premium)
    found = expiry_risk(structure, Decimal(0) if net_premium is None else net_premium)
    if net_premium is not None:
        return StructureRisk(net_premium, found.max_profit, found.max_loss, found.breakevens)
    bounded = [name for name in ("max_profit", "max_loss") if getattr(found, name) is not None]
    return StructureRisk(
        None,
        None,
        None,
        (),
        unknown=_unknown(None, *bounded, "breakevens"),
        notes=("a leg has no cost basis: the premium, and every figure it moves, is unknown",),
    )


_LONG_TIME_SPREADS = {
    StructureKind.LONG_CALL_CALENDAR,
    StructureKind.LONG_PUT_CALENDAR,
    StructureKind.LONG_CALL_DIAGONAL,
    StructureKind.LONG_PUT_DIAGONAL,
}


def _across_expirations(structure: Structure, net_premium: Decimal | None) -> StructureRisk:
    why = (
        "its legs expire on different dates: what the later legs are worth when the first "
        "expire is a market price, not a formula"
    )
    if structure.kind not in _LONG_TIME_SPREADS or net_premium is None:
        return StructureRisk(
            net_premium,
            None,
            None,
            (),
            unknown=_unknown(net_premium, "max_profit", "max_loss", "breakevens"),
            notes=(why,),
        )
    near, far = structure.parts  # canonical order: the near (short) leg first
    against = far.leg.strike - near.leg.strike
    if near.leg.option_type is OptionType.PUT:
        against = -against
    with localcontext(_EXACT):
        loss = -net_premium + max(against, Decimal(0)) * CONTRACT_MULTIPLIER * structure.quantity
    return StructureRisk(
        net_premium,
        None,
        loss,
        (),
        unknown=("max_profit", "breakevens"),
        notes=(
            why,
            "the loss is bounded by the debit (plus a diagonal's strike difference against "
            "it), as long as the far leg is worth its intrinsic value at the near expiration",
        ),
    )


def _unknown(net_premium: Decimal | None, *figures: str) -> tuple[str, ...]:
    return (("net_premium",) if net_premium is None else ()) + figures

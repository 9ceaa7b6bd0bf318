"""The risk report: what the mirrored legs and shares are, as structures, and what each can
make and lose, read from the store and changing nothing.

Per account and underlying, every structure :func:`classify` finds, with its risk at expiry
(:func:`structure_risk`, priced from the broker's cost basis), its unrealised P&L from the
stored marks (:func:`structure_pnl`) and its days to the nearest expiration, and totals per
underlying and per account. A total is only as known as its members: one unbounded max loss
makes the total unbounded, one unknown (and none unbounded) makes it unknown, and one
incomplete P&L makes the total's incomplete.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Context, Decimal, localcontext
from itertools import groupby

from legsync.domain import StockPosition, underlying_for_root
from legsync.domain.classification import classify
from legsync.domain.expiry import NEW_YORK
from legsync.domain.payoff import payoff_at
from legsync.domain.pnl import Pnl, structure_pnl, total_pnl
from legsync.domain.risk import StructureRisk, premium_from_basis, structure_risk
from legsync.domain.structures import Structure
from legsync.domain.underlying import underlying_of_text
from legsync.ports import Clock, SyncRunRepositoryPort, UnitOfWorkFactory

__all__ = [
    "AccountRisk",
    "NoPayoff",
    "RiskReport",
    "RiskService",
    "RiskTotals",
    "StructureReport",
    "UnderlyingRisk",
    "UnknownAccount",
]

_EXACT = Context(prec=80)
"""Sums of money stay exact: the default context's 28 digits could round a large book."""

_WINDOW_SPREAD = Decimal("0.5")
_WINDOW_FLOOR = Decimal("0.05")
"""A diagram's window goes past its strikes, breakevens and last price by half their spread,
or 5% of the highest if that is more: the slopes beyond them show, and a butterfly 20 wide on
a 550 underlying is not a needle on a line from 0."""

_PAST_SHARES = Decimal(2)
"""How far a curve of shares alone goes: to twice their price (there is no strike)."""


class UnknownAccount(LookupError):
    """An account the store knows nothing of: no legs, no shares and no sync run."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        super().__init__(
            f"unknown account {account_id!r}: the store has no legs, stock or sync run of it"
        )


class NoPayoff(ValueError):
    """A structure whose payoff at expiry is not known; the message says why."""


@dataclass(frozen=True, slots=True)
class StructureReport:
    """One structure with its risk (dollars for the whole structure), its P&L and its days
    to the nearest expiration (None for shares alone; negative once it has passed)."""

    structure: Structure
    risk: StructureRisk
    pnl: Pnl
    days_to_expiry: int | None

    def payoff_curve(
        self, last_price: Decimal | None = None
    ) -> tuple[tuple[Decimal, Decimal], ...]:
        """The payoff at expiry as (price, dollars) points for a diagram, over a window around
        what matters: its strikes, its breakevens and ``last_price`` (the underlying's, when
        known), widened by half their spread or 5% of the highest, whichever is more, so that
        the slopes beyond them show. The points are the window's two ends and every strike;
        between them the payoff is a straight line. Shares alone go from 0 to twice their price.

        Raises :class:`NoPayoff` when there is no such payoff: legs across expirations, an
        adjusted contract, or a premium nobody knows.
        """
        structure = self.structure
        if len(structure.expirations) > 1:
            raise NoPayoff("its legs expire on different dates: no payoff at one expiry")
        if not structure.standard_deliverable:
            raise NoPayoff(f"{structure.root} is an adjusted contract: its deliverable is unknown")
        premium = self.risk.net_premium
        if premium is None:
            raise NoPayoff("a leg has no cost basis, so the premium is unknown")
        strikes = sorted({part.leg.strike for part in structure.parts})
        with localcontext(_EXACT):
            if strikes:
                marks = [*strikes, *self.risk.breakevens]
                if last_price is not None:
                    marks.append(last_price)
                low, high = min(marks), max(marks)
                margin = max((high - low) * _WINDOW_SPREAD, high * _WINDOW_FLOOR)
                ends = [max(low - margin, Decimal(0)), high + margin]
            else:
                assert structure.stock is not None
                price = last_price or structure.stock.position.cost_basis_per_share
                if not price:
                    raise NoPayoff("shares with neither a price nor a cost basis")
                ends = [Decimal(0), price * _PAST_SHARES]
        prices = sorted({*ends, *strikes})
        return tuple((price, payoff_at(structure, price, premium)) for price in prices)


@dataclass(frozen=True, slots=True)
class RiskTotals:
    """What a set of structures adds up to. ``net_premium`` is None when a member's is
    unknown; ``max_loss`` is None when a member's is unbounded (then ``unknown`` does not
    name it) or, with none unbounded, unknown (then it does). The summed max loss is the sum
    of the structures' worst cases, which is at least what they can lose together."""

    structures: int
    net_premium: Decimal | None
    max_loss: Decimal | None
    pnl: Pnl
    unknown: tuple[str, ...] = ()

    def is_unbounded(self, figure: str) -> bool:
        return getattr(self, figure) is None and figure not in self.unknown

    @classmethod
    def of(cls, reports: Sequence[StructureReport]) -> RiskTotals:
        risks = [report.risk for report in reports]
        unknown: list[str] = []
        with localcontext(_EXACT):
            premiums = [risk.net_premium for risk in risks]
            net_premium = None
            if any(premium is None for premium in premiums):
                unknown.append("net_premium")
            else:
                net_premium = sum((p for p in premiums if p is not None), Decimal(0))
            max_loss = None
            if any(risk.is_unbounded("max_loss") for risk in risks):
                pass  # unbounded whatever the others are
            elif any(risk.max_loss is None for risk in risks):
                unknown.append("max_loss")
            else:
                max_loss = sum((r.max_loss for r in risks if r.max_loss is not None), Decimal(0))
        pnl = total_pnl(report.pnl for report in reports)
        return cls(len(reports), net_premium, max_loss, pnl, tuple(unknown))


@dataclass(frozen=True, slots=True)
class UnderlyingRisk:
    """An account's structures on one underlying (SPX holds SPX and SPXW), and the
    underlying's last price when its shares are mirrored with a mark."""

    symbol: str
    structures: tuple[StructureReport, ...]
    totals: RiskTotals
    last_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class AccountRisk:
    account_id: str
    underlyings: tuple[UnderlyingRisk, ...]
    totals: RiskTotals

    @property
    def structures(self) -> tuple[StructureReport, ...]:
        return tuple(s for underlying in self.underlyings for s in underlying.structures)


@dataclass(frozen=True, slots=True)
class RiskReport:
    """Every account asked for, at ``as_of`` (the clock's now, which the days count from)."""

    as_of: datetime
    accounts: tuple[AccountRisk, ...]
    symbol: str | None = None


class RiskService:
    """Reads the mirror and reports the risk of what it holds, in one unit of work that it
    never commits: a risk report writes nothing."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow_factory = uow_factory
        self.clock = clock

    def report(self, account_id: str | None = None, symbol: str | None = None) -> RiskReport:
        """The risk of one account (every account with legs or shares when None), on one
        underlying when ``symbol`` is given (a root or an underlying: SPXW and spx both mean
        SPX). Raises :class:`UnknownAccount` for an account the store knows nothing of."""
        now = self.clock.now()
        today = now.astimezone(NEW_YORK).date()
        underlying = None if symbol is None else underlying_of_text(symbol)
        with self.uow_factory() as uow:
            legs = uow.positions.all_legs(account_id)
            stock = uow.positions.stock(account_id)
            if account_id is not None:
                accounts = [account_id]
                if not legs and not stock and account_id not in _synced(uow.sync_runs):
                    raise UnknownAccount(account_id)
            else:
                accounts = sorted({*(leg.account_id for leg in legs), *_holders(stock)})
        structures = [
            s for s in classify(legs, stock) if underlying is None or s.symbol == underlying
        ]
        prices = _last_prices(stock)
        by_account = {
            name: list(found) for name, found in groupby(structures, key=lambda s: s.account_id)
        }
        return RiskReport(
            as_of=now,
            accounts=tuple(
                _account(name, by_account.get(name, []), today, prices) for name in accounts
            ),
            symbol=underlying,
        )


def _account(
    account_id: str,
    structures: Sequence[Structure],
    today: date,
    prices: dict[tuple[str, str], Decimal],
) -> AccountRisk:
    reports = [_structure_report(s, today) for s in structures]
    underlyings = tuple(
        _underlying(symbol, list(found), prices.get((account_id, symbol)))
        for symbol, found in groupby(reports, key=lambda r: r.structure.symbol)
    )
    return AccountRisk(account_id, underlyings, RiskTotals.of(reports))


def _underlying(
    symbol: str, reports: Sequence[StructureReport], last_price: Decimal | None
) -> UnderlyingRisk:
    return UnderlyingRisk(symbol, tuple(reports), RiskTotals.of(reports), last_price)


def _structure_report(structure: Structure, today: date) -> StructureReport:
    expirations = structure.expirations
    return StructureReport(
        structure=structure,
        risk=structure_risk(structure, premium_from_basis(structure)),
        pnl=structure_pnl(structure),
        days_to_expiry=(expirations[0] - today).days if expirations else None,
    )


def _last_prices(stock: Iterable[StockPosition]) -> dict[tuple[str, str], Decimal]:
    """The marks of the mirrored shares, by account and underlying."""
    return {
        (p.account_id, underlying_for_root(p.symbol)): p.last_price
        for p in stock
        if p.last_price is not None
    }


def _holders(stock: Iterable[StockPosition]) -> set[str]:
    return {position.account_id for position in stock}


def _synced(sync_runs: SyncRunRepositoryPort) -> set[str]:
    return {run.account_id for run in sync_runs.latest_runs()}

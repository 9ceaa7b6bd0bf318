"""The trade use cases: list, add by hand, the managed switch, and import from the mirror.

These change trades and nothing else: positions are the sync's alone. ``managed`` is the
engine's safety switch and only these use cases flip it; whatever a person did not ask the
engine to manage (a hand-added trade by default, every imported one) starts unmanaged.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from legsync.domain import (
    InvalidTrade,
    OptionLeg,
    Origin,
    Trade,
    TradeLeg,
    TradeStatus,
    check_new_trade,
    claims_on_legs,
    underlying_for_root,
)
from legsync.domain.classification import classify
from legsync.domain.envelope import envelope_on_open
from legsync.domain.kinds import StructureKind
from legsync.domain.pnl import Pnl, trade_pnl
from legsync.domain.reconciliation import (
    DEFAULT_MAX_MIRROR_AGE,
    MirrorState,
    judge_managed_trades,
    mirror_state,
    spread_positions_for_trade,
)
from legsync.domain.underlying import underlying_of_text
from legsync.ports import Clock, UnitOfWork, UnitOfWorkFactory

__all__ = [
    "AccountImport",
    "CloseRefused",
    "ImportReport",
    "ImportedTrade",
    "InvalidTrade",
    "ManagedSwitch",
    "TradeService",
    "TradeView",
]


class CloseRefused(Exception):
    """A trade was not closed: the broker may still hold its legs (the message says which, or
    that the mirror is too stale to tell)."""


@dataclass(frozen=True, slots=True)
class ManagedSwitch:
    """The open trades on a symbol after flipping their switch; ``changed`` are the ids whose
    stored value actually changed (the others were already so)."""

    symbol: str
    managed: bool
    trades: tuple[Trade, ...]
    changed: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ImportedTrade:
    """A trade stored by the import, and the structure it was recognised as."""

    trade: Trade
    kind: StructureKind


@dataclass(frozen=True, slots=True)
class AccountImport:
    """One account's import. Nothing is imported from a stale mirror (``mirror`` says why)."""

    account_id: str
    mirror: MirrorState
    imported: tuple[ImportedTrade, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportReport:
    accounts: tuple[AccountImport, ...]
    dry_run: bool = False

    @property
    def imported(self) -> tuple[ImportedTrade, ...]:
        return tuple(item for account in self.accounts for item in account.imported)

    @property
    def skipped(self) -> tuple[AccountImport, ...]:
        """Accounts not imported because their mirror is not fresh."""
        return tuple(account for account in self.accounts if not account.mirror.is_fresh)


@dataclass(frozen=True, slots=True)
class TradeView:
    """A trade as ``trades show`` presents it: with the unrealised P&L of its share of the
    mirrored legs (ratio x quantity contracts of each) and the state of the mirror that P&L
    was read from.

    ``pnl`` is None for a closed trade: nothing of it is open to mark. A P&L read from a
    mirror that is not fresh is incomplete, with the mirror's state among its reasons: its
    legs may no longer be what the broker holds, so its sum is not an answer.
    """

    trade: Trade
    pnl: Pnl | None
    mirror: MirrorState


class TradeService:
    """Trade use cases, each in one unit of work that it commits.

    ``max_age`` (15 minutes unless given, :data:`DEFAULT_MAX_MIRROR_AGE`) keeps the import
    away from a mirror whose last good sync is older than that.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        *,
        max_age: timedelta | None = DEFAULT_MAX_MIRROR_AGE,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.max_age = DEFAULT_MAX_MIRROR_AGE if max_age is None else max_age

    def list_trades(
        self, *, account_id: str | None = None, include_closed: bool = False
    ) -> list[Trade]:
        """Open trades by id (closed ones too with ``include_closed``), managed or not."""
        with self.uow_factory() as uow:
            return uow.trades.list_trades(account_id=account_id, include_closed=include_closed)

    def get(self, trade_id: int) -> Trade:
        """One trade, open or closed; raises TradeNotFound."""
        with self.uow_factory() as uow:
            return uow.trades.get(trade_id)

    def view(self, trade_id: int) -> TradeView:
        """One trade with its P&L from the mirror's marks; raises TradeNotFound."""
        now = self.clock.now()
        with self.uow_factory() as uow:
            trade = uow.trades.get(trade_id)
            state = mirror_state(uow.sync_runs.last_run(trade.account_id), now, self.max_age)
            held = uow.positions.all_legs(trade.account_id) if trade.is_open else ()
        if not trade.is_open:
            return TradeView(trade, None, state)
        pnl = trade_pnl(trade, held)
        if not state.is_fresh:
            pnl += Pnl(Decimal(0), (f"the mirror is not fresh: {state.reason}",))
        return TradeView(trade, pnl, state)

    def close(self, trade_id: int, reason: str, *, force: bool = False) -> Trade:
        """Record that a trade is over: ``closed_at`` now, ``reason``; the row stays.

        Refused (:class:`CloseRefused`) while the mirror shows any of its legs held, or is too
        stale to tell, unless ``force``: closing a trade whose contracts are still at the
        broker would leave them to nobody. :class:`InvalidTrade` for an empty reason or a
        trade closed already; TradeNotFound for an unknown id. The sync never closes a trade.
        """
        why = _close_reason(reason)
        now = self.clock.now()
        with self.uow_factory() as uow:
            trade = uow.trades.get(trade_id)
            uow.lock_account(trade.account_id)
            if not trade.is_open:
                raise InvalidTrade(
                    f"trade {trade_id} is closed already (at {trade.closed_at}: "
                    f"{trade.close_reason or 'no reason given'})"
                )
            if not force:
                self._refuse_if_held(uow, trade, now)
            closed = uow.trades.close(trade_id, now, why)
            uow.commit()
        return closed

    def phantoms(self, account_id: str) -> tuple[Trade, ...]:
        """The account's managed open trades the broker holds nothing of, judged against a
        fresh mirror (:class:`CloseRefused` when it is not)."""
        now = self.clock.now()
        with self.uow_factory() as uow:
            return self._phantoms(uow, account_id, now)

    def close_phantoms(
        self, account_id: str, reason: str, *, only: Collection[int] | None = None
    ) -> tuple[Trade, ...]:
        """Close every phantom of the account (of ``only``, when given: the ids a person
        confirmed), judged again under the account's lock, in one unit of work."""
        why = _close_reason(reason)
        now = self.clock.now()
        with self.uow_factory() as uow:
            uow.lock_account(account_id)
            closed = tuple(
                uow.trades.close(trade.id, now, why)
                for trade in self._phantoms(uow, account_id, now)
                if trade.id is not None and (only is None or trade.id in only)
            )
            uow.commit()
        return closed

    def _phantoms(self, uow: UnitOfWork, account_id: str, now: datetime) -> tuple[Trade, ...]:
        state = mirror_state(uow.sync_runs.last_run(account_id), now, self.max_age)
        if not state.is_fresh:
            raise CloseRefused(f"account {account_id}: nothing judged, {state.reason}")
        trades = uow.trades.list_trades(account_id=account_id)
        judged = judge_managed_trades(trades, uow.positions.all_legs(account_id))
        return tuple(found.trade for found in judged.phantoms)

    def _refuse_if_held(self, uow: UnitOfWork, trade: Trade, now: datetime) -> None:
        state = mirror_state(uow.sync_runs.last_run(trade.account_id), now, self.max_age)
        if not state.is_fresh:
            raise CloseRefused(
                f"trade {trade.id}: whether the broker still holds its legs is unknown "
                f"({state.reason}); sync first, or close it with force"
            )
        holdings = spread_positions_for_trade(trade, uow.positions.all_legs(trade.account_id))
        held = [h for h in holdings.holdings if h.held]
        if held:
            shown = ", ".join(f"{h.side.value} {h.occ.format()} ({h.held} held)" for h in held)
            raise CloseRefused(
                f"trade {trade.id} still has broker legs: {shown}; close them at the broker "
                "first, or close the trade with force"
            )

    def add_manual(
        self,
        account_id: str,
        legs: Sequence[TradeLeg],
        quantity: int,
        *,
        managed: bool = False,
        entry_price: Decimal | None = None,
    ) -> Trade:
        """Record a trade a person opened, with ``origin=MANUAL``.

        Unmanaged unless ``managed=True``: writing a trade down is not asking the engine to
        act on it. The legs need not be in the mirror yet (the next sync may bring them).
        The trade is stored with its envelope (kind and risk, :func:`envelope_on_open`):
        priced from the broker's cost basis when the mirror holds every leg, else from
        ``entry_price``.
        Raises :class:`InvalidTrade` for an empty account, no legs, a quantity below 1, legs
        on more than one underlying or one contract and side named twice.
        """
        symbol = check_new_trade(account_id, legs, quantity, entry_price)
        now = self.clock.now()
        with self.uow_factory() as uow:
            held = uow.positions.all_legs(account_id)
            envelope = envelope_on_open(account_id, legs, quantity, held, entry_price, now)
            trade = Trade(
                id=None,
                account_id=account_id,
                symbol=symbol,
                legs=tuple(legs),
                quantity=quantity,
                status=TradeStatus.OPEN,
                origin=Origin.MANUAL,
                managed=managed,
                opened_at=now,
                entry_price=entry_price if envelope.entry_price is None else envelope.entry_price,
                envelope=envelope,
            )
            stored = uow.trades.add(trade)
            uow.commit()
        return stored

    def set_managed(self, trade_id: int, managed: bool) -> Trade:
        """Flip one trade's switch; raises TradeNotFound for an unknown id."""
        with self.uow_factory() as uow:
            trade = uow.trades.set_managed(trade_id, managed)
            uow.commit()
        return trade

    def manage(self, trade_id: int) -> Trade:
        return self.set_managed(trade_id, True)

    def unmanage(self, trade_id: int) -> Trade:
        return self.set_managed(trade_id, False)

    def set_managed_for_symbol(
        self, symbol: str, managed: bool, *, account_id: str | None = None
    ) -> ManagedSwitch:
        """Flip the switch of every open trade on an underlying (SPXW or spx both mean SPX).

        Legacy trades (``managed`` NULL) get an explicit value. An empty ``trades`` in the
        result means no open trade is on that symbol; closed trades are left alone.
        """
        underlying = _underlying_of_text(symbol)
        changed: list[int] = []
        switched: list[Trade] = []
        with self.uow_factory() as uow:
            for trade in uow.trades.list_trades(account_id=account_id):
                if trade.id is None or underlying not in _underlyings(trade):
                    continue
                if trade.managed is not managed:
                    changed.append(trade.id)
                    trade = uow.trades.set_managed(trade.id, managed)
                switched.append(trade)
            uow.commit()
        return ManagedSwitch(underlying, managed, tuple(switched), tuple(changed))

    def manage_symbol(self, symbol: str, *, account_id: str | None = None) -> ManagedSwitch:
        return self.set_managed_for_symbol(symbol, True, account_id=account_id)

    def unmanage_symbol(self, symbol: str, *, account_id: str | None = None) -> ManagedSwitch:
        return self.set_managed_for_symbol(symbol, False, account_id=account_id)

    def import_trades(
        self, account_id: str | None = None, *, dry_run: bool = False
    ) -> ImportReport:
        """Store the mirror's unclaimed contracts as unmanaged trades, one per structure.

        A contract is claimed when an open trade (managed or not) expects it: a trade of
        ``quantity`` spreads claims quantity x ratio contracts of each of its legs. What the
        broker holds beyond all claims is grouped by :func:`classify` and stored with
        ``origin=IMPORTED`` and ``managed=False``. Imported trades claim what they took, so a
        second run imports nothing. Accounts whose mirror is not fresh are skipped: importing
        legs the broker may no longer hold would invent trades. With ``dry_run`` nothing is
        stored and the trades in the report have no id.

        Each account is imported in its own unit of work under the account's lock, so it reads
        legs and trades that no concurrent sync is halfway through (AccountBusy may propagate).
        """
        with self.uow_factory() as uow:
            accounts = [account_id] if account_id is not None else uow.positions.accounts()
        return ImportReport(
            accounts=tuple(self._import_account(account, dry_run) for account in accounts),
            dry_run=dry_run,
        )

    def _import_account(self, account_id: str, dry_run: bool) -> AccountImport:
        now = self.clock.now()
        with self.uow_factory() as uow:
            uow.lock_account(account_id)
            state = mirror_state(uow.sync_runs.last_run(account_id), now, self.max_age)
            if not state.is_fresh:
                return AccountImport(account_id=account_id, mirror=state)
            held = uow.positions.all_legs(account_id)
            unclaimed = _unclaimed(account_id, held, uow.trades.list_trades(account_id=account_id))
            imported = []
            for structure in classify(unclaimed):
                envelope = envelope_on_open(
                    account_id, structure.trade_legs(), structure.quantity, held, None, now
                )
                trade = Trade(
                    id=None,
                    account_id=account_id,
                    symbol=structure.symbol,
                    legs=structure.trade_legs(),
                    quantity=structure.quantity,
                    status=TradeStatus.OPEN,
                    origin=Origin.IMPORTED,
                    managed=False,
                    opened_at=now,
                    entry_price=envelope.entry_price,
                    envelope=envelope,
                )
                stored = trade if dry_run else uow.trades.add(trade)
                imported.append(ImportedTrade(stored, structure.kind))
            if not dry_run:
                uow.commit()
        return AccountImport(account_id=account_id, mirror=state, imported=tuple(imported))


def _unclaimed(
    account_id: str, legs: Sequence[OptionLeg], open_trades: Iterable[Trade]
) -> list[OptionLeg]:
    """The legs with what no open trade claims of them (legs fully claimed are dropped)."""
    claims = claims_on_legs(account_id, legs, open_trades)
    unclaimed = []
    for leg in legs:
        rest = claims[leg.occ, leg.side].unclaimed
        if rest > 0:
            unclaimed.append(leg if rest == leg.quantity else replace(leg, quantity=rest))
    return unclaimed


def _close_reason(reason: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidTrade("closing a trade needs a reason, got an empty one")
    return reason.strip()


def _underlying_of_text(symbol: str) -> str:
    try:
        return underlying_of_text(symbol)
    except ValueError as empty:
        raise InvalidTrade(str(empty)) from None


def _underlyings(trade: Trade) -> set[str]:
    """What a trade is on: its symbol's underlying and its legs' (they should agree)."""
    return {
        underlying_for_root(trade.symbol.upper()),
        *(underlying_for_root(leg.occ.root) for leg in trade.legs),
    }

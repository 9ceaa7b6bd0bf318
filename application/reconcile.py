"""The reconciliation use cases: ``check`` an account's trades against its mirror, and size an
exit from it.

Read-only by design: a phantom trade, a partial one or an expired leg is reported with its
reason and nothing is closed, deleted or flipped to unmanaged. Judging needs a mirror that can
be trusted, so an account whose last sync failed, was incomplete or never happened is reported
as stale and nothing about it is judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from legsync.domain import (
    FindingKind,
    LegClaims,
    OptionLeg,
    ReconciliationFinding,
    SyncRun,
    claims_on_legs,
)
from legsync.domain.expiry import expired_legs, expires_at
from legsync.domain.reconciliation import (
    DEFAULT_MAX_MIRROR_AGE,
    MirrorState,
    SpreadPositions,
    exit_quantity,
    judge_managed_trades,
    mirror_state,
)
from legsync.ports import Clock, UnitOfWork, UnitOfWorkFactory

__all__ = ["AccountCheck", "CheckReport", "ReconcileService"]


@dataclass(frozen=True, slots=True)
class AccountCheck:
    """One account's check at ``checked_at``. With a stale mirror the findings are empty:
    nothing was judged."""

    account_id: str
    mirror: MirrorState
    last_sync: SyncRun | None
    checked_at: datetime
    last_good_sync: SyncRun | None = None
    phantoms: tuple[SpreadPositions, ...] = ()
    partials: tuple[SpreadPositions, ...] = ()
    expired: tuple[OptionLeg, ...] = ()
    overclaimed: tuple[LegClaims, ...] = ()
    unclaimed: tuple[LegClaims, ...] = ()
    trades_judged: int = 0

    @property
    def judged(self) -> bool:
        return self.mirror.is_fresh

    @property
    def stale_reason(self) -> str | None:
        """Why nothing was judged, with when the mirror last read the broker: None when fresh."""
        if self.judged:
            return None
        good = self.last_good_sync
        if good is None:
            since = "no good sync yet"
        else:
            minutes = int((self.checked_at - good.finished_at).total_seconds() // 60)
            since = f"last good sync at {_iso(good.finished_at)}, {minutes} minutes ago"
        return f"stale: {since}; {self.mirror.reason}"

    @property
    def clean(self) -> bool:
        """Judged, and nothing to report."""
        return self.judged and not (
            self.phantoms or self.partials or self.expired or self.overclaimed
        )

    def findings(self) -> tuple[ReconciliationFinding, ...]:
        """Everything this check found, one event each, in a fixed order: stale, phantoms,
        partials, over-claimed legs, expired legs, then (as information) unclaimed legs."""

        def finding(
            kind: FindingKind,
            detail: str,
            trade_ids: tuple[int, ...] = (),
            occ_symbol: str | None = None,
            side: str | None = None,
        ) -> ReconciliationFinding:
            return ReconciliationFinding(
                self.account_id, kind, detail, self.checked_at, trade_ids, occ_symbol, side
            )

        stale = self.stale_reason
        if stale is not None:
            return (finding(FindingKind.STALE, stale),)
        found = [
            *(
                finding(kind, _trade_detail(kind, p), trade_ids=_ids(p.trade.id))
                for kind, group in (
                    (FindingKind.PHANTOM, self.phantoms),
                    (FindingKind.PARTIAL, self.partials),
                )
                for p in group
            ),
            *(
                finding(
                    FindingKind.OVERCLAIMED,
                    f"over-claimed {leg.reason}",
                    trade_ids=tuple(t.id for t, _ in leg.claims if t.id is not None),
                    occ_symbol=leg.occ.format(),
                    side=leg.side.value,
                )
                for leg in self.overclaimed
            ),
            *(
                finding(
                    FindingKind.EXPIRED,
                    f"expired {leg.side.value} {leg.occ_symbol} x{leg.quantity} still held",
                    occ_symbol=leg.occ_symbol,
                    side=leg.side.value,
                )
                for leg in self.expired
            ),
            *(
                finding(
                    FindingKind.UNCLAIMED,
                    f"unclaimed {leg.side.value} {leg.occ.format()}: {leg.unclaimed} of "
                    f"{leg.held} held, no open trade claims them",
                    occ_symbol=leg.occ.format(),
                    side=leg.side.value,
                )
                for leg in self.unclaimed
            ),
        ]
        return tuple(found)

    def to_dict(self) -> dict[str, object]:
        return {
            "account_id": self.account_id,
            "mirror": self.mirror.value,
            "judged": self.judged,
            "reason": self.stale_reason,
            "last_sync_at": None if self.last_sync is None else _iso(self.last_sync.finished_at),
            "trades_judged": self.trades_judged,
            "phantoms": [_trade_finding(p) for p in self.phantoms],
            "partials": [_trade_finding(p) for p in self.partials],
            "overclaimed": [
                {
                    "occ_symbol": leg.occ.format(),
                    "side": leg.side.value,
                    "held": leg.held,
                    "claimed": leg.claimed,
                    "trade_ids": [trade.id for trade, _ in leg.claims],
                    "claims": [{"trade_id": t.id, "contracts": n} for t, n in leg.claims],
                }
                for leg in self.overclaimed
            ],
            "expired": [
                {
                    "occ_symbol": leg.occ_symbol,
                    "side": leg.side.value,
                    "quantity": leg.quantity,
                    "expired_at": _iso(expires_at(leg.expiration)),
                }
                for leg in self.expired
            ],
            "unclaimed": [
                {
                    "occ_symbol": leg.occ.format(),
                    "side": leg.side.value,
                    "held": leg.held,
                    "unclaimed": leg.unclaimed,
                }
                for leg in self.unclaimed
            ],
        }


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Every account checked at ``checked_at``."""

    checked_at: datetime
    accounts: tuple[AccountCheck, ...]

    @property
    def clean(self) -> bool:
        """Every account judged and nothing found (a stale account is never clean)."""
        return all(account.clean for account in self.accounts)

    @property
    def stale(self) -> tuple[AccountCheck, ...]:
        return tuple(account for account in self.accounts if not account.judged)

    def to_dict(self) -> dict[str, object]:
        """The report as plain JSON-ready data (for a ``--json`` output)."""
        return {
            "checked_at": _iso(self.checked_at),
            "clean": self.clean,
            "accounts": [account.to_dict() for account in self.accounts],
        }


class ReconcileService:
    """Compares the engine's trades with the mirror, one read-only unit of work per call.

    ``max_age`` (15 minutes unless given, :data:`DEFAULT_MAX_MIRROR_AGE`) counts a mirror as
    stale when its last good sync finished longer ago than that: a stale mirror is never
    judged and never sizes an exit.
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

    def check(self, account_id: str | None = None) -> CheckReport:
        """Check one account, or every account the store knows (legs, sync runs or open
        managed trades). Reports phantoms, partial trades and expired legs; changes nothing."""
        now = self.clock.now()
        with self.uow_factory() as uow:
            if account_id is not None:
                accounts = [account_id]
            else:
                accounts = sorted(
                    {
                        *uow.positions.accounts(),
                        *(run.account_id for run in uow.sync_runs.latest_runs()),
                        *(trade.account_id for trade in uow.trades.open_managed()),
                    }
                )
            checks = tuple(self._check_account(uow, account, now) for account in accounts)
        return CheckReport(checked_at=now, accounts=checks)

    def exit_quantity(self, trade_id: int) -> int:
        """How many spreads of a trade the engine may close now (0 unless the trade is managed
        and open, every leg is held and not over-claimed, and the account's mirror is fresh).
        Raises TradeNotFound.

        Each trade may act only on the contracts it claims, within what the other open trades'
        claims (managed or not) leave of the holding, so the exits of all managed trades
        together never exceed what is held (:mod:`legsync.domain.claims`)."""
        now = self.clock.now()
        with self.uow_factory() as uow:
            trade = uow.trades.get(trade_id)
            last = uow.sync_runs.last_run(trade.account_id)
            fresh = mirror_state(last, now, self.max_age).is_fresh
            if not fresh:
                return 0
            legs = uow.positions.all_legs(trade.account_id)
            trades = uow.trades.list_trades(account_id=trade.account_id)
        claims = claims_on_legs(trade.account_id, legs, trades)
        return exit_quantity(trade, claims, mirror_fresh=fresh)

    def _check_account(self, uow: UnitOfWork, account_id: str, now: datetime) -> AccountCheck:
        last = uow.sync_runs.last_run(account_id)
        state = mirror_state(last, now, self.max_age)
        if not state.is_fresh:
            return AccountCheck(
                account_id=account_id,
                mirror=state,
                last_sync=last,
                checked_at=now,
                last_good_sync=uow.sync_runs.last_successful_run(account_id),
            )
        legs = uow.positions.all_legs(account_id)
        open_trades = uow.trades.list_trades(account_id=account_id)
        trades = [trade for trade in open_trades if trade.is_managed]
        judgement = judge_managed_trades(trades, legs)
        claims = claims_on_legs(account_id, legs, open_trades)
        return AccountCheck(
            account_id=account_id,
            mirror=state,
            last_sync=last,
            checked_at=now,
            last_good_sync=last,
            phantoms=judgement.phantoms,
            partials=judgement.partials,
            expired=expired_legs(legs, now),
            overclaimed=tuple(leg for leg in claims.values() if leg.overclaimed),
            unclaimed=tuple(leg for leg in claims.values() if leg.unclaimed),
            trades_judged=len(trades),
        )


def _trade_finding(positions: SpreadPositions) -> dict[str, object]:
    trade = positions.trade
    return {
        "trade_id": trade.id,
        "symbol": trade.symbol,
        "quantity": trade.quantity,
        "health": positions.health.value,
        "reasons": list(positions.reasons),
    }


def _trade_detail(kind: FindingKind, positions: SpreadPositions) -> str:
    trade = positions.trade
    reasons = "; ".join(positions.reasons)
    return f"{kind.value} trade {trade.id} ({trade.symbol}): {reasons}"


def _ids(trade_id: int | None) -> tuple[int, ...]:
    return () if trade_id is None else (trade_id,)


def _iso(moment: datetime) -> str:
    return moment.isoformat()

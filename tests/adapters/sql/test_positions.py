"""The positions table on a real database: exact values, writes only for changes, and bulk
statements whatever the number of legs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from legsync.adapters.sql import SqlStore, upgrade
from legsync.domain import OptionLeg
from legsync.testing import leg as shipped_leg
from tests.adapters.sql.worker import snapshot

ACCOUNT = "VA000001"
T0 = datetime(2027, 3, 1, 14, 30, 0, 123456, tzinfo=UTC)


def leg(symbol: str, **changes: Any) -> OptionLeg:
    return replace(shipped_leg(symbol, cost="155.5", updated_at=T0), **changes)


@contextmanager
def statements(store: SqlStore) -> Iterator[list[tuple[str, int]]]:
    """Every statement the store sends, with how many parameter sets it carried."""
    sent: list[tuple[str, int]] = []

    def record(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool
    ) -> None:
        sent.append((statement.split()[0].upper(), len(parameters) if many else 1))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def _raw(store: SqlStore, query: str) -> list[tuple[Any, ...]]:
    with store.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(query))]


def test_decimals_read_back_exactly_as_written(store: SqlStore) -> None:
    written = [
        leg(
            "XYZ270319C99999999",
            cost_basis_per_contract=Decimal("33.33333333333333333333333333"),
            last_price=Decimal("0.005"),
        ),
        leg("XYZ270319C00000001", cost_basis_per_contract=Decimal("-0.01")),
        leg("XYZ270319P00002010", cost_basis_per_contract=Decimal("1E+3"), last_price=Decimal(0)),
        leg("XYZ270319P00450000", cost_basis_per_contract=Decimal("12345678901234.56789")),
    ]
    with store() as uow:
        uow.positions.upsert(written)
        uow.commit()
    with store() as uow:
        back = {item.key: item for item in uow.positions.all_legs()}
    for original in written:
        stored = back[original.key]
        assert stored == original
        for name in ("strike", "cost_basis_per_contract", "last_price"):
            value = getattr(stored, name)
            assert value is None or type(value) is Decimal
            assert value == getattr(original, name)
    assert back[written[0].key].strike == Decimal("99999.999")
    assert back[written[2].key].occ_symbol == "XYZ270319P00002010"


def test_on_sqlite_decimals_and_times_are_canonical_text(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'text.db'}"
    upgrade(url)
    with SqlStore(url) as store:
        with store() as uow:
            uow.positions.upsert(
                [leg("SPY270319C00450000", cost_basis_per_contract=Decimal("2.50"))]
            )
            uow.commit()
        assert _raw(
            store,
            "SELECT strike, typeof(strike), cost_basis_per_contract, expiration, updated_at, id"
            " FROM portfolio_positions",
        ) == [
            (
                "450",
                "text",
                "2.5",
                "2027-03-19",
                "2027-03-01T14:30:00.123456+00:00",
                "VA000001|SPY|2027-03-19|call|450|long",
            )
        ]


def test_times_come_back_aware_utc_even_in_a_session_of_another_time_zone(
    store: SqlStore,
) -> None:
    with store() as uow:
        uow.positions.upsert([leg("SPY270319C00450000")])
        uow.commit()
    url = store.engine.url
    if store.dialect_name == "postgresql":
        url = url.update_query_dict({"options": "-c timezone=America/New_York"})
    with SqlStore(url) as elsewhere, elsewhere() as uow:
        (stored,) = uow.positions.all_legs()
    assert stored.updated_at == T0
    assert stored.updated_at.tzinfo is UTC


def test_upserting_identical_legs_writes_no_row(store: SqlStore) -> None:
    legs = snapshot(ACCOUNT, 500)
    with store() as uow:
        assert uow.positions.upsert(legs) == 500
        uow.commit()
    with _row_versions(store) as versions:
        before = versions()
        with store() as uow:
            assert uow.positions.upsert(legs) == 0
            uow.commit()
        assert versions() == before


@contextmanager
def _row_versions(store: SqlStore) -> Iterator[Callable[[], object]]:
    """Something that moves whenever a row is rewritten: PostgreSQL's ``xmin`` of every row;
    SQLite's ``data_version``, which moves when another connection commits a change."""
    if store.dialect_name == "postgresql":
        yield lambda: _raw(store, "SELECT id, xmin::text FROM portfolio_positions ORDER BY id")
        return
    observer = sqlite3.connect(str(store.engine.url.database))
    try:
        yield lambda: observer.execute("PRAGMA data_version").fetchone()
    finally:
        observer.close()


def test_only_changed_legs_are_written_and_a_new_time_alone_is_a_change(store: SqlStore) -> None:
    legs = snapshot(ACCOUNT, 10)
    with store() as uow:
        uow.positions.upsert(legs)
        uow.commit()
    changed = [
        replace(legs[0], quantity=legs[0].quantity + 1),
        replace(legs[1], last_price=Decimal("9.99")),
        replace(legs[2], cost_basis_per_contract=None),
        replace(legs[3], updated_at=legs[3].updated_at + timedelta(seconds=1)),
    ]
    with store() as uow:
        assert uow.positions.upsert([*changed, *legs[4:]]) == 4
        uow.commit()
    with store() as uow:
        assert uow.positions.all_legs() == sorted(
            [*changed, *legs[4:]], key=lambda item: _order(item)
        )


def _order(item: OptionLeg) -> tuple[Any, ...]:
    key = item.key
    return (key.account_id, key.root, key.expiration, key.option_type, key.strike, key.side)


def test_a_big_sync_is_a_few_bulk_statements_not_a_round_trip_per_leg(store: SqlStore) -> None:
    first = snapshot(ACCOUNT, 12_000)
    with statements(store) as sent, store() as uow:
        uow.lock_account(ACCOUNT)
        uow.positions.legs_by_key(ACCOUNT)
        uow.positions.upsert(first)
        uow.commit()
    inserts = [(verb, rows) for verb, rows in sent if verb == "INSERT"]
    assert inserts == [("INSERT", 5000), ("INSERT", 5000), ("INSERT", 2000)]
    assert len(sent) <= 8, sent

    kept = first[:4000]
    with statements(store) as sent, store() as uow:
        uow.lock_account(ACCOUNT)
        assert len(uow.positions.legs_by_key(ACCOUNT)) == 12_000
        assert uow.positions.delete_missing(ACCOUNT, {item.key for item in kept}) == 8000
        assert uow.positions.delete([item.key for item in kept[:3000]]) == 3000
        uow.commit()
    assert [verb for verb, _ in sent].count("DELETE") == 2
    assert len(sent) <= 8, sent
    with store() as uow:
        assert uow.positions.legs_by_key(ACCOUNT) == {item.key: item for item in kept[3000:]}


def test_pruning_touches_only_the_given_account(store: SqlStore) -> None:
    mine, theirs = snapshot(ACCOUNT, 30), snapshot("6YA000002", 30)
    with store() as uow:
        uow.positions.upsert([*mine, *theirs])
        uow.commit()
    with store() as uow:
        # Keys of another account in ``keep`` neither keep nor delete anything here.
        assert uow.positions.delete_missing(ACCOUNT, {item.key for item in theirs}) == 30
        uow.commit()
    with store() as uow:
        assert uow.positions.accounts() == ["6YA000002"]
        assert len(uow.positions.all_legs("6YA000002")) == 30


def test_strikes_sort_by_value_and_text_by_code_point(store: SqlStore) -> None:
    legs = [
        leg("SPY270319C00045000"),
        leg("SPY270319C01000000"),
        leg("SPY270319C00450000"),
        leg("SPY270319C00099500"),
        leg("SPY270319C00450000", account_id="a-lower"),
        leg("SPY270319C00450000", account_id="B-UPPER"),
    ]
    with store() as uow:
        uow.positions.upsert(legs)
        uow.commit()
    with store() as uow:
        assert [item.strike for item in uow.positions.all_legs(ACCOUNT)] == [
            Decimal(45),
            Decimal("99.5"),
            Decimal(450),
            Decimal(1000),
        ]
        assert uow.positions.accounts() == ["B-UPPER", "VA000001", "a-lower"]


def test_a_row_the_schema_forbids_is_refused_by_the_database(store: SqlStore) -> None:
    with store() as uow:
        uow.positions.upsert([leg("SPY270319C00450000")])
        uow.commit()
    with pytest.raises(IntegrityError, match=r"(?i)check"), store.engine.begin() as connection:
        connection.execute(text("UPDATE portfolio_positions SET quantity = -1"))


@pytest.mark.parametrize(
    ("column", "garbage"),
    [
        ("side", "'sideways'"),
        ("cost_basis_per_contract", "'1.5 dollars'"),
        ("quantity", "'two'"),
        ("updated_at", "'yesterday'"),
    ],
)
def test_a_stored_row_the_store_could_not_have_written_fails_the_sync_and_changes_nothing(
    tmp_path: Path, column: str, garbage: str
) -> None:
    from legsync.application import SyncService
    from legsync.testing import InMemoryBroker, ManualClock, position

    url = f"sqlite:///{tmp_path / 'garbled.db'}"
    upgrade(url)
    with SqlStore(url) as store:
        with store() as uow:
            uow.positions.upsert([leg("SPY270319C00450000"), leg("SPY270319C00455000")])
            uow.commit()
        with sqlite3.connect(tmp_path / "garbled.db") as raw:
            raw.execute("PRAGMA ignore_check_constraints = ON")  # as another tool might
            raw.execute(
                f"UPDATE portfolio_positions SET {column} = {garbage} "
                "WHERE occ_symbol = 'SPY270319C00455000'"
            )
        before = _raw(store, "SELECT * FROM portfolio_positions ORDER BY id")
        broker = InMemoryBroker({ACCOUNT: [position("SPY270319C00450000", 2, "311")]})

        result = SyncService(broker, store, ManualClock()).sync(ACCOUNT)

        assert not result.success
        assert result.reason is not None
        assert "store failed" in result.reason
        assert result.events == ()
        assert _raw(store, "SELECT * FROM portfolio_positions ORDER BY id") == before


def test_a_cost_per_contract_that_does_not_terminate_reads_back_and_resyncs_unchanged(
    store: SqlStore,
) -> None:
    """$100 for 3 contracts is 33.33... a contract, 34 digits in the sync's money context. The
    store must keep all of them, or every later sync would find the leg changed and rewrite it."""
    from legsync.application import SyncService
    from legsync.testing import InMemoryBroker, ManualClock, position

    broker = InMemoryBroker({ACCOUNT: [position("SPY270319C00450000", 3, "100")]})
    service = SyncService(broker, store, ManualClock())

    first = service.sync(ACCOUNT)
    again = service.sync(ACCOUNT)

    assert (first.counts.opened, again.counts.unchanged, again.counts.changed, again.events) == (
        1,
        1,
        0,
        (),
    )
    with store() as uow:
        (held,) = uow.positions.all_legs(ACCOUNT)
    assert held.cost_basis_per_contract == Decimal("33.33333333333333333333333333333333")


@pytest.mark.parametrize(
    ("quantity", "cost_basis", "complaint"),
    [
        ("1E+30", "100", "more contracts than a leg can hold"),
        ("1", "1E+200000", "beyond any amount a store holds"),
        ("1", "1E-20000", "beyond any amount a store holds"),
    ],
)
def test_a_row_no_store_can_hold_is_a_row_error_and_the_other_rows_are_synced(
    store: SqlStore, quantity: str, cost_basis: str, complaint: str
) -> None:
    """The quantity column holds 2**31 - 1 contracts, and PostgreSQL's NUMERIC a bounded number
    of digits: a garbled row beyond them is reported like any unusable row on every store,
    instead of failing the whole sync in one of them."""
    from legsync.application import SyncService
    from legsync.testing import InMemoryBroker, ManualClock, position

    rows = [
        position("SPY270319C00450000", quantity, cost_basis),
        position("SPY270319C00455000", 2),
    ]
    result = SyncService(InMemoryBroker({ACCOUNT: rows}), store, ManualClock()).sync(ACCOUNT)

    assert result.success, result.reason
    assert [(e.symbol, complaint in e.reason) for e in result.errors] == [
        ("SPY270319C00450000", True)
    ]
    assert not result.pruned
    with store() as uow:
        assert [held.occ_symbol for held in uow.positions.all_legs(ACCOUNT)] == [
            "SPY270319C00455000"
        ]

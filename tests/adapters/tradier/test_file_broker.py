"""FileBroker: a saved Tradier positions body, read with the same rules as the live API."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from legsync.adapters.tradier import FileBroker, example_positions_path
from legsync.domain import BrokerPosition, OptionType, parse_occ_symbol
from legsync.ports import BrokerPort, BrokerUnavailable
from legsync.testing import ManualClock
from tests.support.tradier_server import fault_body, positions_body

from .conftest import ACCOUNT

ROOT = Path(__file__).resolve().parents[3]
CREDIT_SPREAD = (
    BrokerPosition("SPY270319P00540000", Decimal("-2.00000000"), Decimal("-1184.00")),
    BrokerPosition("SPY270319P00530000", Decimal("2.00000000"), Decimal("862.00")),
)


def saved(tmp_path: Path, body: bytes | str) -> Path:
    path = tmp_path / "positions.json"
    path.write_bytes(body.encode() if isinstance(body, str) else body)
    return path


def test_it_is_a_broker_port(tmp_path: Path) -> None:
    assert isinstance(FileBroker(saved(tmp_path, positions_body(()))), BrokerPort)


@pytest.mark.parametrize(
    "body",
    [
        positions_body(CREDIT_SPREAD),
        positions_body(CREDIT_SPREAD, numbers_as_strings=True),
    ],
    ids=["numbers", "numeric strings"],
)
def test_a_saved_answer_reads_as_the_rows_it_holds(tmp_path: Path, body: bytes) -> None:
    clock = ManualClock()
    snapshot = FileBroker(saved(tmp_path, body), clock=clock).fetch_positions(ACCOUNT)
    assert snapshot.account_id == ACCOUNT
    assert snapshot.fetched_at == clock.now()
    assert [(p.symbol, p.quantity, p.cost_basis) for p in snapshot.positions] == [
        (p.symbol, p.quantity, p.cost_basis) for p in CREDIT_SPREAD
    ]


@pytest.mark.parametrize("body", ['{"positions": "null"}', '{"positions": null}'])
def test_a_saved_no_positions_answer_is_an_empty_snapshot(tmp_path: Path, body: str) -> None:
    assert FileBroker(saved(tmp_path, body)).fetch_positions(ACCOUNT).positions == ()


def test_the_file_is_read_afresh_on_every_fetch(tmp_path: Path) -> None:
    path = saved(tmp_path, positions_body(CREDIT_SPREAD))
    broker = FileBroker(path)
    assert len(broker.fetch_positions(ACCOUNT).positions) == 2
    path.write_bytes(positions_body(CREDIT_SPREAD[:1]))
    assert len(broker.fetch_positions(ACCOUNT).positions) == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "the body is empty"),
        ('{"positions": {"position": [{"symbol": "SPY270319P00540000", "quan', "not valid JSON"),
        ("<!DOCTYPE html><html><body>Sign in</body></html>", "HTML page"),
        ("<fault><faultstring>Gateway Timeout</faultstring></fault>", "XML fault"),
        (fault_body("Invalid Access Token").decode(), "Invalid Access Token"),
        ('{"errors": {"error": "Invalid account"}}', "Invalid account"),
        ('{"account": "VA000001"}', 'no "positions" key'),
        ('{"positions": {"position": {"symbol": "SPY270319P00540000"}}}', "has no quantity"),
        ('{"positions": {"position": {"symbol": "X", "quantity": "one"}}}', "not a number"),
    ],
    ids=[
        "empty",
        "truncated",
        "html",
        "xml fault",
        "fault",
        "errors",
        "no positions key",
        "no quantity",
        "bad quantity",
    ],
)
def test_a_file_that_is_not_a_positions_answer_is_a_failed_read(
    tmp_path: Path, body: str, reason: str
) -> None:
    path = saved(tmp_path, body)
    with pytest.raises(BrokerUnavailable) as failed:
        FileBroker(path).fetch_positions(ACCOUNT)
    assert reason in failed.value.reason
    assert str(path) in failed.value.reason, "the error names the file"
    assert failed.value.account_id == ACCOUNT


def test_a_missing_file_is_a_failed_read_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    with pytest.raises(BrokerUnavailable, match="cannot read positions file") as failed:
        FileBroker(missing).fetch_positions(ACCOUNT)
    assert str(missing) in failed.value.reason
    assert "No such file" in failed.value.reason
    assert failed.value.__cause__ is None
    assert failed.value.__context__ is None


def test_a_directory_is_a_failed_read(tmp_path: Path) -> None:
    with pytest.raises(BrokerUnavailable, match="cannot read positions file"):
        FileBroker(tmp_path).fetch_positions(ACCOUNT)


def test_a_file_declared_for_one_account_is_never_read_as_another(tmp_path: Path) -> None:
    broker = FileBroker(saved(tmp_path, positions_body(CREDIT_SPREAD)), account_id=ACCOUNT)
    assert len(broker.fetch_positions(ACCOUNT).positions) == 2
    with pytest.raises(BrokerUnavailable, match=f"holds the positions of account {ACCOUNT}"):
        broker.fetch_positions("VA000002")
    assert broker.list_accounts() == (ACCOUNT,)
    assert FileBroker(tmp_path / "x.json").list_accounts() == ()


# --- the shipped example ----------------------------------------------------------------------


def test_the_packaged_example_is_identical_to_the_one_in_examples() -> None:
    assert (
        example_positions_path().read_bytes()
        == (ROOT / "examples" / "tradier_positions.json").read_bytes()
    )


def test_the_example_is_a_realistic_book() -> None:
    rows = FileBroker.example().fetch_positions(ACCOUNT).positions
    options = {p.symbol: parse_occ_symbol(p.symbol) for p in rows if p.symbol != "AAPL"}
    assert [p.symbol for p in rows if p.symbol not in options] == ["AAPL"], "one stock position"
    roots = {occ.root for occ in options.values()}
    assert {"SPY", "IWM", "SPXW", "MSFT"} <= roots, "several underlyings, an SPXW leg"
    condor = [
        (options[p.symbol].option_type, p.quantity > 0) for p in rows if p.symbol[:3] == "IWM"
    ]
    assert sorted(condor) == sorted(
        (kind, long) for kind in (OptionType.CALL, OptionType.PUT) for long in (True, False)
    ), "an iron condor: a short and a long call, a short and a long put"
    spread = [p for p in rows if p.symbol.startswith("SPY")]
    assert sorted(p.quantity for p in spread) == [Decimal(-2), Decimal(2)], "a credit spread"
    assert all(occ.expiration.year >= 2027 for occ in options.values()), "still in the future"
    raw = example_positions_path().read_text()
    assert '"quantity": "-1.00000000"' in raw
    assert '"cost_basis": "-1184.00"' in raw, "numbers as strings in places"

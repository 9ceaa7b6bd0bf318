"""``legsync risk`` as a user runs it, over a SQLite mirror synced from a saved Tradier answer:
the table, the JSON, the filters, the payoff diagrams, and a store left exactly as it was."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import sys
import zlib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from legsync.adapters.plot import PIXELS
from legsync.domain import BrokerPosition
from legsync.domain.classification import classify
from legsync.domain.expiry import NEW_YORK
from legsync.domain.payoff import payoff_at
from legsync.domain.risk import premium_from_basis
from legsync.domain.structures import Structure
from legsync.testing import leg
from tests.support.cli_logging import loggers_restored
from tests.support.png import drawn_payoff
from tests.support.tradier_server import positions_body

from .test_cli import as_json, legsync

# (symbol, signed quantity, Tradier's total cost basis): what the broker holds.
BOOK = [
    ("AAPL", "100", "18342.50"),  # shares, covered by the short call below
    ("AAPL270115C00200000", "-1", "-500.00"),
    ("IWM270115P00195000", "1", "268.00"),  # an iron condor
    ("IWM270115P00200000", "-1", "-391.00"),
    ("IWM270115C00250000", "-1", "-344.00"),
    ("IWM270115C00255000", "1", "221.00"),
    ("SPY270319C00540000", "1", "1000.00"),  # a long call butterfly, 1000 / 450 x 2 / 50
    ("SPY270319C00550000", "-2", "-900.00"),
    ("SPY270319C00560000", "1", "50.00"),
    ("QQQ270115C00500000", "-1", "-800.00"),  # a long call calendar
    ("QQQ270319C00500000", "1", "1500.00"),
    ("SPX270115C06000000", "1", "3000.00"),  # SPX and SPXW: one underlying, two roots
    ("SPXW270115P05000000", "-1", "-2000.00"),
]


def book_json() -> bytes:
    return positions_body([BrokerPosition(s, Decimal(q), Decimal(c)) for s, q, c in BOOK])


def book_structures() -> tuple[Structure, ...]:
    """The same holdings as domain values, classified by the domain, to check against."""
    from legsync.domain import StockPosition

    legs = [
        leg(s, int(q), cost=abs(Decimal(c)) / abs(int(q)), account_id="file")
        for s, q, c in BOOK
        if s != "AAPL"
    ]
    shares = StockPosition(
        "file", "AAPL", Decimal(100), Decimal("183.425"), None, datetime(2026, 1, 1, tzinfo=UTC)
    )
    return classify(legs, [shares])


@pytest.fixture
def mirrored(tmp_path: Path) -> Path:
    (tmp_path / "positions.json").write_bytes(book_json())
    run = legsync(tmp_path, "sync", "--from-file", "positions.json")
    assert run.returncode == 0, run.stderr
    return tmp_path


def by_kind(report: Any) -> dict[str, dict[str, Any]]:
    (account,) = report["accounts"]
    return {s["kind"] + ":" + s["root"]: s for s in account["structures"]}


def days_to(expiration: date) -> int:
    return (expiration - datetime.now(UTC).astimezone(NEW_YORK).date()).days


def test_the_table_shows_every_structure_with_its_figures_and_the_totals(mirrored: Path) -> None:
    run = legsync(mirrored, "risk")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("account file: risk at expiry, as of ")

    def row(kind: str) -> str:
        (found,) = [line for line in lines if line.split()[1:2] == [kind]]
        return found

    butterfly = row("long_call_butterfly")
    assert "+1 540C -2 550C +1 560C 2027-03-19" in butterfly
    assert "debit 150" in butterfly
    assert butterfly.split()[-7:-4] == ["850", "150", "541.5,"]
    assert f" {days_to(date(2027, 3, 19))} " in butterfly
    covered = row("covered_call")
    assert "+100 sh -1 200C 2027-01-15" in covered
    assert "debit 17842.5" in covered  # 18342.50 paid for the shares, 500 received
    assert "unbounded" not in covered, "the shares cover the call"
    condor = row("iron_condor")
    assert "+1 195P -1 200P -1 250C +1 255C 2027-01-15" in condor
    assert "credit 246" in condor
    calendar = row("long_call_calendar")
    assert "-1 500C 2027-01-15 +1 500C 2027-03-19" in calendar
    assert calendar.count("unknown") >= 2, "max profit and breakevens across expirations"
    assert "SPXW -1 5000P 2027-01-15" in row("short_put")
    (spx_total,) = [line for line in lines if line.split()[:2] == ["SPX", "total"]]
    assert "498000" in row("short_put"), "a short put loses at most its strike, less the credit"
    assert "debit 1000" in spx_total, "3000 paid for the SPX call, 2000 received for the SPXW put"
    (account_total,) = [line for line in lines if line.split()[:2] == ["all", "total"]]
    assert "6 structure(s)" in account_total
    assert "incomplete" in account_total, "a sync from a file has no marks"
    assert any("note: QQQ long_call_calendar: its legs expire on different dates" in line
               for line in lines)  # fmt: skip


def test_the_json_has_every_figure_as_a_decimal_string_and_names_the_unknown(
    mirrored: Path,
) -> None:
    report = as_json(legsync(mirrored, "risk", "--json"))
    structures = by_kind(report)
    butterfly = structures["long_call_butterfly:SPY"]
    assert set(butterfly) >= {
        "kind", "symbol", "legs", "quantity", "net_premium", "max_profit", "max_loss",
        "breakevens", "unrealized_pnl", "pnl_complete", "pnl_missing", "oldest_mark_at",
        "days_to_expiry", "expirations", "unknown", "notes",
    }  # fmt: skip
    assert butterfly["max_loss"] == "150"
    assert butterfly["max_profit"] == "850"
    assert butterfly["net_premium"] == "-150"
    assert butterfly["breakevens"] == ["541.5", "558.5"]
    assert butterfly["unknown"] == []
    assert butterfly["expirations"] == ["2027-03-19"]
    assert butterfly["days_to_expiry"] == days_to(date(2027, 3, 19))
    assert [(x["occ_symbol"], x["side"], x["contracts"]) for x in butterfly["legs"]] == [
        ("SPY270319C00540000", "long", 1),
        ("SPY270319C00550000", "short", 2),
        ("SPY270319C00560000", "long", 1),
    ]
    assert (butterfly["unrealized_pnl"], butterfly["pnl_complete"]) == (None, False)
    assert butterfly["pnl_missing"] == [
        f"{occ}: no mark"
        for occ in ("SPY270319C00540000", "SPY270319C00550000", "SPY270319C00560000")
    ]
    assert butterfly["oldest_mark_at"] is None

    long_call = structures["long_call:SPX"]
    assert long_call["max_profit"] is None
    assert "max_profit" not in long_call["unknown"]
    calendar = structures["long_call_calendar:QQQ"]
    assert calendar["max_profit"] is None
    assert "max_profit" in calendar["unknown"]
    assert calendar["breakevens"] is None
    assert "breakevens" in calendar["unknown"]
    assert calendar["max_loss"] == "700", "a long calendar loses at most its debit"
    covered = structures["covered_call:AAPL"]
    assert covered["stock"] == {"symbol": "AAPL", "side": "long", "shares": "100"}
    assert covered["max_profit"] == "2157.5"  # (200 - 183.425) x 100 + 500

    (account,) = report["accounts"]
    assert account["totals"]["structures"] == 6
    assert account["totals"]["max_loss"] == sum_of(s["max_loss"] for s in structures.values())
    assert account["totals"]["unknown"] == []
    spx = next(u for u in account["underlyings"] if u["symbol"] == "SPX")
    assert spx["totals"]["structures"] == 2
    assert spx["totals"]["net_premium"] == "-1000"  # 2000 received, 3000 paid


def sum_of(amounts: Any) -> str:
    from legsync.domain import canonical_decimal

    return canonical_decimal(sum((Decimal(a) for a in amounts), Decimal(0)))


def test_symbol_spx_shows_the_spx_and_spxw_structures_only(mirrored: Path) -> None:
    for asked in ("SPX", "spxw"):
        report = as_json(legsync(mirrored, "risk", "--symbol", asked, "--json"))
        assert report["symbol"] == "SPX"
        assert sorted(by_kind(report)) == ["long_call:SPX", "short_put:SPXW"]
    table = legsync(mirrored, "risk", "--symbol", "SPX").stdout
    assert "IWM" not in table
    assert "SPX only" in table.splitlines()[0]


def test_an_unknown_account_is_one_line_and_exit_2(mirrored: Path) -> None:
    run = legsync(mirrored, "risk", "--account-id", "VA99999999")
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.splitlines() == [
        "legsync: unknown account 'VA99999999': the store has no legs, stock or sync run of it"
    ]


@pytest.mark.parametrize("where", ["a-file", "a-file/below"])
def test_a_plot_directory_that_cannot_be_written_is_refused_before_anything_is_drawn(
    mirrored: Path, where: str
) -> None:
    (mirrored / "a-file").write_text("not a directory")
    run = legsync(mirrored, "risk", "--plot", where)
    assert run.returncode == 2
    assert run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"legsync: --plot {where}: ")
    assert not list(mirrored.rglob("*.png"))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes anywhere")
def test_a_plot_directory_without_write_permission_is_refused(mirrored: Path) -> None:
    locked = mirrored / "locked"
    locked.mkdir(mode=0o500)
    try:
        run = legsync(mirrored, "risk", "--plot", "locked")
    finally:
        locked.chmod(0o700)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [
        "legsync: --plot locked: cannot write there: Permission denied"
    ]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", data[16:24])
    assert zlib.crc32(data[12:29]) == struct.unpack(">I", data[29:33])[0]
    return width, height


def test_each_payoff_diagram_is_a_picture_of_the_payoff_the_domain_computes(
    mirrored: Path,
) -> None:
    run = legsync(mirrored, "risk", "--plot", "diagrams", "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    (account,) = report["accounts"]
    names = [s["diagram"] for s in account["structures"]]
    assert names == [
        "file-AAPL-1-covered_call.png",
        "file-IWM-1-iron_condor.png",
        None,  # the calendar: no payoff at one expiry
        "file-SPX-1-long_call.png",
        "file-SPX-2-short_put.png",
        "file-SPY-1-long_call_butterfly.png",
    ]
    assert sorted(n for n in names if n) == sorted(
        p.name for p in (mirrored / "diagrams").iterdir()
    )
    assert run.stderr.splitlines() == [
        "legsync: no payoff diagram for file QQQ long_call_calendar: its legs expire on"
        " different dates: no payoff at one expiry"
    ]
    expected = {(s.kind.value, s.root): s for s in book_structures()}
    for record in account["structures"]:
        if record["diagram"] is None:
            continue
        path = mirrored / "diagrams" / record["diagram"]
        assert png_size(path) == PIXELS
        with Image.open(path) as image:
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 24) or ()) > 1, "blank"
            drawn = drawn_payoff(image)
        structure = expected[record["kind"], record["root"]]
        premium = premium_from_basis(structure)
        assert premium is not None
        assert all(payoff_at(structure, x, premium) == y for x, y in drawn)
        prices = [x for x, _ in drawn]
        strikes = sorted({part.leg.strike for part in structure.parts})
        assert prices == sorted(prices)
        assert set(strikes) <= set(prices), "every corner of the payoff is drawn"
        breakevens = [Decimal(b) for b in record["breakevens"]]
        assert prices[0] < min([*strikes, *breakevens]), "the slope below them shows"
        assert prices[-1] > max([*strikes, *breakevens]), "the slope above them shows"


def test_risk_writes_nothing_to_the_store(mirrored: Path) -> None:
    database = mirrored / "legsync.db"

    def digest() -> str:
        return hashlib.sha256(database.read_bytes()).hexdigest()

    before = digest()
    for args in (("risk",), ("risk", "--json"), ("risk", "--symbol", "SPY", "--plot", "out")):
        assert legsync(mirrored, *args).returncode == 0
        assert digest() == before, f"legsync {' '.join(args)} changed the database"
    assert sorted(p.name for p in mirrored.iterdir() if p.name.startswith("legsync.db")) == [
        "legsync.db"
    ]


def test_without_matplotlib_plotting_is_one_line_and_exit_2(
    mirrored: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from legsync.adapters.cli import main

    for name in [n for n in sys.modules if n == "matplotlib" or n.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.chdir(mirrored)
    for variable in [v for v in os.environ if v.startswith("LEGSYNC_")]:
        monkeypatch.delenv(variable)
    with loggers_restored():
        assert main(["risk", "--plot", "diagrams"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "legsync: payoff diagrams need matplotlib: pip install 'legsync[plot]'"
    ]
    assert not (mirrored / "diagrams").exists(), "refused before anything was made"


def test_after_the_readme_main_job_risk_shows_the_examples_structures(tmp_path: Path) -> None:
    from .test_cli import EXAMPLE, readme_main_job

    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / EXAMPLE.name).write_bytes(EXAMPLE.read_bytes())
    for step in readme_main_job():
        assert legsync(tmp_path, *step[1:]).returncode == 0
    run = legsync(tmp_path, "risk")
    assert run.returncode == 0, run.stderr
    kinds = {line.split()[1] for line in run.stdout.splitlines()[3:] if line[:1].isupper()}
    assert {"iron_condor", "bull_put_spread"} <= kinds

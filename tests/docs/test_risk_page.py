"""docs/risk.md shows what its commands print and draw: its shell block runs, at the moment the
page names, and the table and the diagram's points it pastes are what they produce now."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from PIL import Image

from legsync.adapters.cli import main
from tests.support.cli_logging import loggers_restored
from tests.support.png import drawn_payoff

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "risk.md"
AT = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
"""When the page's table was made, as the page says."""
DIAGRAM = "docs/images/risk-SPY-1-long_call_butterfly.png"


def fenced(kind: str) -> list[str]:
    return re.findall(rf"^```{kind}\n(.*?)\n```", PAGE.read_text(encoding="utf-8"), re.S | re.M)


def test_the_page_names_the_moment_it_was_made() -> None:
    assert f"on {AT:%Y-%m-%d} at {AT:%H:%M} UTC" in PAGE.read_text(encoding="utf-8")


def test_the_pages_commands_print_its_table_and_draw_its_diagram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (commands,) = fenced("sh")
    table = fenced("text")[0]
    (tmp_path / "docs").mkdir()
    for saved in ("risk-positions.json", "risk-quotes.json"):
        shutil.copy(ROOT / "docs" / saved, tmp_path / "docs")
    monkeypatch.chdir(tmp_path)
    for variable in [name for name in os.environ if name.startswith("LEGSYNC_")]:
        monkeypatch.delenv(variable)
    printed = {}
    with loggers_restored(), time_machine.travel(AT, tick=False):
        for line in commands.splitlines():
            words = shlex.split(line)
            assert words[0] == "legsync"
            assert main(words[1:]) == 0, capsys.readouterr().err
            printed[line] = capsys.readouterr().out
    assert printed["legsync risk"].rstrip("\n") == table
    with Image.open(tmp_path / DIAGRAM) as drawn, Image.open(ROOT / DIAGRAM) as shown:
        assert drawn.size == shown.size
        assert drawn_payoff(drawn) == drawn_payoff(shown)
    assert sorted(p.name for p in (tmp_path / "docs" / "images").iterdir()) == [Path(DIAGRAM).name]

"""The shell examples of the README and the operations guide run, as written, against a real
Tradier-speaking server on 127.0.0.1 and the throwaway PostgreSQL server.

Only what cannot exist here is substituted, and nothing else: Tradier's host (through
``LEGSYNC_TRADIER_BASE_URL``, which takes precedence over the sandbox flag), the example
database host, and a cycle limit for ``legsync watch`` so the example ends.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from legsync.domain import BrokerPosition
from tests.support.tradier_server import (
    Reply,
    TradierServer,
    positions_body,
    profile_body,
    quotes_body,
    tradier_server,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DATABASE = "postgresql://legsync@db.internal/legsync"
ACCOUNTS = ("VA00000000",)


def shell_blocks(page: str, skip: int = 0) -> list[str]:
    text = (ROOT / page).read_text(encoding="utf-8")
    return re.findall(r"^```sh\n(.*?)\n```", text, re.S | re.M)[skip:]


EXAMPLES = [
    *((f"README.md#{n + 3}", block) for n, block in enumerate(shell_blocks("README.md", skip=2))),
    *(
        (f"operations.md#{n + 1}", block)
        for n, block in enumerate(shell_blocks("docs/operations.md"))
    ),
]


@pytest.fixture
def server() -> Iterator[TradierServer]:
    book = [
        BrokerPosition("SPXW270331C06800000", Decimal("1"), Decimal("4210.00")),
        BrokerPosition("SPY270319P00540000", Decimal("-2"), Decimal("-1184.00")),
    ]
    with tradier_server() as running:
        for account in ACCOUNTS:
            running.reply("GET", f"/accounts/{account}/positions", Reply.json(positions_body(book)))
        running.reply("GET", "/user/profile", Reply.json(profile_body(list(ACCOUNTS))))
        running.reply("POST", "/markets/quotes", Reply.json(quotes_body([], unmatched=["X"])))
        yield running


@pytest.mark.postgres
@pytest.mark.parametrize(("where", "block"), EXAMPLES, ids=[where for where, _ in EXAMPLES])
def test_the_shell_example_runs(
    where: str, block: str, server: TradierServer, postgres_database: str, tmp_path: Path
) -> None:
    script = block.replace(EXAMPLE_DATABASE, postgres_database).replace(
        "legsync watch ", "legsync watch --max-cycles 1 "
    )
    bin_dir = str(Path(sys.executable).parent)
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LEGSYNC_")},
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "LEGSYNC_TRADIER_BASE_URL": server.base_url,
        "LEGSYNC_TRADIER_TOKEN": "docs-example-token",
    }
    run = subprocess.run(
        [shutil.which("bash") or "bash", "-euo", "pipefail", "-c", script],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.returncode == 0, f"{where} failed:\n{script}\n{run.stdout}\n{run.stderr}"
    assert server.received, f"{where} never reached the broker"

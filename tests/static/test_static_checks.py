"""The project's own rules, run as part of the suite so that one command checks everything."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "legsync.domain",
    "legsync.ports",
    "legsync.application",
    "legsync.testing",
    "legsync.adapters",
]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: install the test extras (pip install -e '.[test]')")
    return found


def _run(*command: str) -> None:
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"


def test_ruff_lint_is_clean() -> None:
    _run(_tool("ruff"), "check", ".")


def test_ruff_format_is_clean() -> None:
    _run(_tool("ruff"), "format", "--check", ".")


@pytest.mark.slow
def test_mypy_strict_is_clean() -> None:
    packages = [arg for package in PACKAGES for arg in ("-p", package)]
    _run(sys.executable, "-m", "mypy", "--strict", *packages)


@pytest.mark.slow
def test_mypy_strict_is_clean_for_the_tests_and_benchmarks() -> None:
    """They call the package as users do: a type error here is often a wrong call."""
    _run(sys.executable, "-m", "mypy", "--strict", "tests", "benchmarks")


def test_layers_hold() -> None:
    """domain imports nothing of ours; only adapters touch SQLAlchemy, httpx, the container."""
    _run(_tool("lint-imports"), "--no-cache")


def test_only_adapters_read_the_clock() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for layer in ("domain", "ports", "application", "testing")
        for path in sorted((ROOT / layer).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if any(call in line for call in ("datetime.now(", "date.today(", "time.time(", "utcnow("))
    ]
    assert offenders == [], f"the clock is an adapter's business: {offenders}"


def test_the_library_changes_nothing_process_wide() -> None:
    """No collector switched off or frozen, no stamina hook replaced: an embedding
    application's threads and its own retries must not feel legsync."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for layer in ("domain", "ports", "application", "testing", "adapters")
        for path in sorted((ROOT / layer).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if any(call in line for call in ("gc.disable(", "gc.freeze(", "set_on_retry_hooks("))
    ]
    assert offenders == []

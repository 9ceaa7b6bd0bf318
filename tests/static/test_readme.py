"""The README's two commands are what CI runs, so they cannot quietly go stale."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    return re.findall(r"^```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S | re.M)


def test_the_readme_starts_with_the_main_job_and_the_test_command() -> None:
    main_job, tests = readme_commands()[:2]
    assert "pip install ." in main_job
    assert "legsync sync --from-file examples/tradier_positions.json" in main_job
    assert "legsync positions" in main_job
    assert "'.[test]'" in tests
    assert tests.endswith("pytest")


def test_ci_runs_the_test_command_verbatim_and_the_main_job_from_the_readme() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    _, tests = readme_commands()[:2]
    assert tests in ci.splitlines()
    assert "README.md" in ci
    assert (ROOT / "examples" / "tradier_positions.json").is_file()

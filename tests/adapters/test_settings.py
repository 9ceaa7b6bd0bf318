"""Configuration: flags beat the environment, which beats the TOML file; bad values are named."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from legsync.adapters.settings import ConfigurationError, load_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "DATABASE_URL",
        "BROKER",
        "TRADIER_TOKEN",
        "TRADIER_ACCOUNT_ID",
        "TRADIER_BASE_URL",
        "TRADIER_SANDBOX",
        "POSITIONS_FILE",
        "QUOTES_FILE",
    ):
        monkeypatch.delenv(f"LEGSYNC_{name}", raising=False)
    monkeypatch.chdir(tmp_path)


def test_the_defaults_are_a_local_sqlite_file_and_tradier_production() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///legsync.db"
    assert settings.broker == "tradier"
    assert settings.resolved_tradier_base_url == "https://api.tradier.com/v1"


def test_flags_beat_the_environment_which_beats_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "legsync.toml").write_text(
        '[legsync]\ndatabase_url = "sqlite:///from-file.db"\ntradier_sandbox = true\n'
        'tradier_account_id = "VA000009"\n'
    )
    monkeypatch.setenv("LEGSYNC_TRADIER_ACCOUNT_ID", "VA000001,6YA000002")
    settings = load_settings({"database_url": "sqlite:///from-flag.db"})
    assert settings.database_url == "sqlite:///from-flag.db"
    assert settings.tradier_account_id == ("VA000001", "6YA000002")
    assert settings.resolved_tradier_base_url == "https://sandbox.tradier.com/v1"


def test_the_quotes_file_comes_from_the_toml_file_or_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert load_settings().quotes_file is None
    (tmp_path / "legsync.toml").write_text(
        'broker = "file"\npositions_file = "positions.json"\nquotes_file = "from-toml.json"\n'
    )
    settings = load_settings()
    assert (settings.broker, settings.quotes_file) == ("file", Path("from-toml.json"))
    monkeypatch.setenv("LEGSYNC_QUOTES_FILE", "from-env.json")
    assert load_settings().quotes_file == Path("from-env.json")


def test_a_postgresql_url_gets_the_psycopg_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGSYNC_DATABASE_URL", "postgresql://legsync@db.internal/legsync")
    assert load_settings().database_url == "postgresql+psycopg://legsync@db.internal/legsync"


def test_the_token_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEGSYNC_TRADIER_TOKEN", "SENTINEL-TOKEN-123")
    settings = load_settings()
    assert "SENTINEL-TOKEN-123" not in repr(settings)
    assert "SENTINEL-TOKEN-123" not in str(settings)
    assert settings.tradier_token is not None
    assert settings.tradier_token.get_secret_value() == "SENTINEL-TOKEN-123"


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("DATABASE_URL", "mysql://x/y", "setting database_url (LEGSYNC_DATABASE_URL) must start"),
        ("BROKER", "ibkr", "setting broker (LEGSYNC_BROKER) Input should be 'tradier' or 'file'"),
        ("TRADIER_SANDBOX", "maybe", "setting tradier_sandbox (LEGSYNC_TRADIER_SANDBOX)"),
        ("TRADIER_ACCOUNT_ID", "VA 1", "account 'VA 1' must be letters and digits"),
        ("TRADIER_BASE_URL", "api.tradier.com", "must be an http(s) URL"),
    ],
)
def test_a_bad_value_names_the_setting_and_what_is_allowed(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, complaint: str
) -> None:
    monkeypatch.setenv(f"LEGSYNC_{variable}", value)
    with pytest.raises(ConfigurationError, match=re.escape(complaint)):
        load_settings()


def test_a_bad_value_never_echoes_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigurationError) as failure:
        load_settings({"tradier_token": ["SENTINEL-TOKEN-123"]})
    assert "SENTINEL-TOKEN-123" not in str(failure.value)


def test_an_unknown_key_in_the_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "custom.toml"
    config.write_text('databse_url = "sqlite:///typo.db"\n')
    with pytest.raises(
        ConfigurationError, match=r"setting databse_url .* is not a legsync setting"
    ):
        load_settings(config_file=config)


def test_a_missing_or_broken_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"nowhere\.toml does not exist"):
        load_settings(config_file=tmp_path / "nowhere.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("database_url = \n")
    with pytest.raises(ConfigurationError, match=r"broken\.toml"):
        load_settings(config_file=broken)


def test_reading_the_settings_loads_no_http_client() -> None:
    """The settings check Tradier URLs with the broker's own rule, without loading httpx."""
    script = "import sys, legsync.adapters.settings; print('httpx' in sys.modules)"
    found = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("http://api.tradier.com/v1", "refusing plain http"),
        ("https://u:p@api.tradier.com/v1", "must not carry credentials"),
    ],
)
def test_a_base_url_the_broker_would_refuse_is_refused_by_the_settings(
    monkeypatch: pytest.MonkeyPatch, url: str, complaint: str
) -> None:
    monkeypatch.setenv("LEGSYNC_TRADIER_BASE_URL", url)
    with pytest.raises(ConfigurationError, match=complaint):
        load_settings()

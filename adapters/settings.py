"""legsync's configuration: flags, then environment variables, then an optional TOML file.

Validated with pydantic so that a bad value is refused before anything runs, by the name a
user would type (``LEGSYNC_DATABASE_URL``) and with what is allowed. The Tradier token is a
``SecretStr``: it never shows in a repr, a log line or an error.

The three sources are merged here, in a few lines, rather than by pydantic-settings: the merge
is all legsync needs of it (and dependency-injector imports pydantic-settings whenever it is
installed, which every command would pay for at start-up).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from legsync.domain.reconciliation import DEFAULT_MAX_MIRROR_AGE

from .sql.engine import DEFAULT_DATABASE_URL, normalize_url
from .tradier.endpoints import PRODUCTION_BASE_URL, SANDBOX_BASE_URL, checked_base_url

__all__ = [
    "DEFAULT_CONFIG_FILE",
    "DEFAULT_DATABASE_URL",
    "DEFAULT_MAX_MIRROR_AGE",
    "ConfigurationError",
    "Settings",
    "load_settings",
    "parse_duration",
]

DEFAULT_CONFIG_FILE = Path("legsync.toml")
_DURATION = re.compile(r"\s*([-+]?\d+(?:\.\d+)?)\s*([smh]?)\s*", re.ASCII)
_UNITS = {"s": "seconds", "m": "minutes", "": "minutes", "h": "hours"}
_ENV_PREFIX = "LEGSYNC_"


class ConfigurationError(Exception):
    """A setting is missing or wrong; the message names it and says what is allowed."""


class Settings(BaseModel):
    """Every setting legsync reads. Environment names are ``LEGSYNC_`` + the field in capitals."""

    model_config = ConfigDict(extra="forbid", validate_default=True, hide_input_in_errors=True)

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite:///path.db or postgresql://user@host/db",
    )
    broker: Literal["tradier", "file"] = Field(
        default="tradier", description="where positions come from: tradier or file"
    )
    positions_file: Path | None = Field(
        default=None, description="a saved Tradier positions response, for broker=file"
    )
    quotes_file: Path | None = Field(
        default=None,
        description="a saved Tradier quotes response, the marks of broker=file (sync --marks)",
    )
    tradier_token: SecretStr | None = Field(default=None, description="Tradier API token")
    tradier_account_id: tuple[str, ...] = Field(
        default=(), description="account number(s), comma-separated"
    )
    tradier_base_url: str | None = Field(
        default=None, description="API base URL including /v1 (overrides tradier_sandbox)"
    )
    tradier_sandbox: bool = Field(default=False, description="use Tradier's sandbox (paper)")
    tradier_timeout: float = Field(default=10.0, gt=0, le=120, description="seconds per request")
    max_mirror_age: timedelta = Field(
        default=DEFAULT_MAX_MIRROR_AGE,
        description="how old the last good sync may be for the mirror to be trusted",
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, url: str) -> str:
        try:
            return normalize_url(url).render_as_string(hide_password=False)
        except Exception:  # the URL's own parser or our scheme rule: say what is allowed
            raise ValueError("must start with sqlite:/// or postgresql://") from None

    @field_validator("max_mirror_age", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_duration(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return parse_duration(str(value))
        return value

    @field_validator("max_mirror_age")
    @classmethod
    def _positive(cls, age: timedelta) -> timedelta:
        if age <= timedelta(0):
            raise ValueError("must be more than 0")
        return age

    @field_validator("tradier_account_id", mode="before")
    @classmethod
    def _split_accounts(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("tradier_account_id")
    @classmethod
    def _plain_account_numbers(cls, accounts: tuple[str, ...]) -> tuple[str, ...]:
        for account in accounts:
            if not account.isalnum():
                raise ValueError(f"account {account!r} must be letters and digits only")
        return accounts

    @field_validator("tradier_base_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        return None if url is None else checked_base_url(url)

    @property
    def resolved_tradier_base_url(self) -> str:
        if self.tradier_base_url:
            return self.tradier_base_url
        return SANDBOX_BASE_URL if self.tradier_sandbox else PRODUCTION_BASE_URL


def parse_duration(text: str) -> timedelta:
    """A duration as a person types it: minutes (``15``, ``2.5``) or ``90s``, ``15m``, ``1h``;
    ValueError naming the text for anything else, zero and negative included."""
    found = _DURATION.fullmatch(text)
    if found is None:
        raise ValueError(f"{text!r} is not a number of minutes or a duration like 90s, 15m or 1h")
    amount, unit = found.groups()
    age = timedelta(**{_UNITS[unit]: float(amount)})
    if age <= timedelta(0):
        raise ValueError(f"{text!r} must be more than 0 (a mirror that old is never fresh)")
    return age


def load_settings(
    overrides: Mapping[str, Any] | None = None, config_file: Path | None = None
) -> Settings:
    """Settings from ``overrides`` (flags), then the environment, then the TOML file.

    The TOML file is ``config_file`` when given (it must exist), else ``legsync.toml`` in the
    working directory when present. Keys are the field names, at the top level or under a
    ``[legsync]`` table. Raises :class:`ConfigurationError` naming every bad setting.
    """
    values: dict[str, Any] = {}
    toml_path = _toml_path(config_file)
    if toml_path is not None:
        values.update(_toml_table(toml_path))
    for name in Settings.model_fields:
        from_environment = os.environ.get(f"{_ENV_PREFIX}{name.upper()}")
        if from_environment is not None:
            values[name] = from_environment
    values.update((key, value) for key, value in (overrides or {}).items() if value is not None)
    try:
        return Settings.model_validate(values)
    except ValidationError as invalid:
        raise ConfigurationError(_explain(invalid)) from None


def _toml_table(path: Path) -> dict[str, Any]:
    """The TOML file's keys, at the top level or under ``[legsync]``."""
    import tomllib  # here: most commands read no TOML file, and the import costs 1 to 3 ms

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"config file {path}: {error}") from None
    table = data.get("legsync", data)
    if not isinstance(table, dict):
        raise ConfigurationError(f"config file {path}: [legsync] must be a table")
    return table


def _toml_path(config_file: Path | None) -> Path | None:
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigurationError(f"config file {config_file} does not exist")
        return config_file
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def _explain(invalid: ValidationError) -> str:
    problems = []
    for error in invalid.errors():
        field = ".".join(str(part) for part in error["loc"]) or "settings"
        env = f"{_ENV_PREFIX}{field.upper()}"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "is not a legsync setting"
        problems.append(f"setting {field} ({env}) {message}")
    return "; ".join(problems)

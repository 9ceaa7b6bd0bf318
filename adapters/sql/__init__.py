"""The SQL store: SQLite by default, PostgreSQL for deployments, through SQLAlchemy 2.

``SqlStore(url)`` is a ``UnitOfWorkFactory`` with the same contract as the in-memory store;
``upgrade(url)`` creates or upgrades its schema (Alembic), which must happen first::

    from legsync.adapters.sql import SqlStore, upgrade

    upgrade("sqlite:///legsync.db")
    store = SqlStore("sqlite:///legsync.db")
    with store() as uow:
        uow.lock_account("VA000001")
        ...
        uow.commit()
"""

from typing import TYPE_CHECKING, Any

from .engine import DEFAULT_DATABASE_URL, account_lock_key
from .store import SqlStore, SqlUnitOfWork

if TYPE_CHECKING:
    from .migrations import (
        LEGACY_REVISION,
        SchemaError,
        current_revision,
        downgrade,
        head_revision,
        upgrade,
    )

# The migrations load Alembic (a third of a small sync's time), so they are imported on first
# use: a sync of a database that is already current never needs them.
_MIGRATIONS = frozenset(
    {"LEGACY_REVISION", "SchemaError", "current_revision", "downgrade", "head_revision", "upgrade"}
)


def __getattr__(name: str) -> Any:
    if name in _MIGRATIONS:
        from . import migrations

        return getattr(migrations, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_DATABASE_URL",
    "LEGACY_REVISION",
    "SchemaError",
    "SqlStore",
    "SqlUnitOfWork",
    "account_lock_key",
    "current_revision",
    "downgrade",
    "head_revision",
    "upgrade",
]

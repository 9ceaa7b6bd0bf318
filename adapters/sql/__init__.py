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

from .engine import DEFAULT_DATABASE_URL, account_lock_key
from .migrations import (
    LEGACY_REVISION,
    SchemaError,
    current_revision,
    downgrade,
    head_revision,
    upgrade,
)
from .store import SqlStore, SqlUnitOfWork

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

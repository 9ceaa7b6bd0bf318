"""The SQL store: SQLite by default, PostgreSQL for deployments, through SQLAlchemy 2 Core.

``SqlStore(url)`` is a ``UnitOfWorkFactory`` with the same contract as the in-memory store.
The schema is created and changed only by the migrations: :func:`prepare_schema` creates it in
a new, empty database (and refuses any other that is not current), ``upgrade(url)`` brings an
older one up to date::

    from legsync.adapters.sql import SqlStore, prepare_schema

    store = SqlStore("sqlite:///legsync.db")
    prepare_schema(store)
    with store() as uow:
        uow.lock_account("VA000001")
        ...
        uow.commit()
"""

from typing import TYPE_CHECKING, Any

from .engine import DEFAULT_DATABASE_URL, account_lock_key
from .revision import HEAD_REVISION, SchemaError
from .schema import prepare_schema
from .store import SqlStore, SqlUnitOfWork

if TYPE_CHECKING:
    from .migrations import LEGACY_REVISION, current_revision, downgrade, head_revision, upgrade

# The migrations load Alembic, which a sync of a database that is already current never needs,
# so they are imported on first use.
_MIGRATIONS = frozenset(
    {"LEGACY_REVISION", "current_revision", "downgrade", "head_revision", "upgrade"}
)


def __getattr__(name: str) -> Any:
    if name in _MIGRATIONS:
        from . import migrations

        return getattr(migrations, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_DATABASE_URL",
    "HEAD_REVISION",
    "LEGACY_REVISION",
    "SchemaError",
    "SqlStore",
    "SqlUnitOfWork",
    "account_lock_key",
    "current_revision",
    "downgrade",
    "head_revision",
    "prepare_schema",
    "upgrade",
]

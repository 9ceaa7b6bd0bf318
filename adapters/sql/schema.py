"""The schema policy: a new, empty database gets the schema; any other must be current.

A newcomer's first command just works, while a deployed database is upgraded only on purpose
(``legsync db upgrade``), so two versions of legsync never write one schema (ADR 0005). The
usual case, a database already at the head revision, is one ``SELECT`` and loads no Alembic.
"""

from __future__ import annotations

from sqlalchemy import inspect

from .revision import HEAD_REVISION, SchemaError, at_head_revision
from .store import SqlStore

__all__ = ["prepare_schema"]


def prepare_schema(store: SqlStore) -> bool:
    """Make sure ``store``'s database is at :data:`HEAD_REVISION`; True (and
    ``store.schema_created``) when it created the schema in a new, empty database.

    Raises :class:`SchemaError` for a database at another revision, or one that holds tables
    but no legsync schema.
    """
    if at_head_revision(store.engine):
        return False
    from . import migrations

    url = store.engine.url
    shown = url.render_as_string(hide_password=True)
    current = migrations.current_revision(url)
    if current is None:
        with store.engine.connect() as connection:
            empty = not inspect(connection).get_table_names()
        if empty:
            migrations.upgrade(url)
            store.schema_created = True
            return True
    raise SchemaError(
        f"the database {shown} is at schema revision "
        f"{current or 'none (it holds other tables)'} and this legsync needs {HEAD_REVISION}:"
        " run legsync db upgrade"
    )

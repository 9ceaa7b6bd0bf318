"""The schema revision this legsync writes, and a check of it that does not load Alembic.

Every command that touches the store first makes sure the database is at this revision.
Loading Alembic for that costs more than the rest of a small sync, so the usual case, a
database already at :data:`HEAD_REVISION`, is one ``SELECT`` on the store's own engine. Any
other answer (no version table, another revision, several) is left to the migrations.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

__all__ = ["HEAD_REVISION", "SchemaError", "at_head_revision"]

HEAD_REVISION = "0005"
"""The newest migration's revision; a test holds it equal to Alembic's head."""


class SchemaError(RuntimeError):
    """The database's schema is not one this legsync writes, and it will not change it itself:
    the message says what was found and what to run."""


def at_head_revision(engine: Engine) -> bool:
    """Whether the database says it is at :data:`HEAD_REVISION` (False when it cannot say)."""
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version"))
            versions = list(found.scalars())
    except DBAPIError:
        return False
    return versions == [HEAD_REVISION]

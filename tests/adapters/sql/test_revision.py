"""The schema check every command makes without loading Alembic agrees with Alembic."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from legsync.adapters.sql import SqlStore, head_revision, upgrade
from legsync.adapters.sql.revision import HEAD_REVISION, at_head_revision


def test_the_known_head_is_alembics_head() -> None:
    assert head_revision() == HEAD_REVISION, (
        "a migration was added: set HEAD_REVISION in adapters/sql/revision.py to its revision"
    )


def test_only_a_database_at_the_head_passes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'legsync.db'}"
    with SqlStore(url) as store:
        assert not at_head_revision(store.engine)  # empty: no version table
        upgrade(url, "0001")
        assert not at_head_revision(store.engine)
        upgrade(url)
        assert at_head_revision(store.engine)
        with store.engine.begin() as connection:
            connection.execute(text("INSERT INTO alembic_version VALUES ('9999')"))
        assert not at_head_revision(store.engine)  # two heads: Alembic must decide

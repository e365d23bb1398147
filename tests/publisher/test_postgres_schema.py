"""The migrations on a real PostgreSQL server, whichever database the rest of the suite
uses: from nothing to the head, down to nothing and up again, to exactly the models' schema;
the append-only triggers are PostgreSQL functions there."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy.exc
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text


def _diff(app) -> list:  # noqa: ANN001
    from publisher.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), db.metadata)


def _tables(app) -> set[str]:  # noqa: ANN001
    from publisher.extensions import db

    with app.app_context():
        return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_every_migration_goes_down_to_nothing_and_up_again(postgres, tmp_path: Path) -> None:  # noqa: ANN001
    from flask_migrate import downgrade, upgrade

    from publisher import create_app
    from publisher.extensions import db

    url = postgres.create_database("updown")
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            upgrade()
            assert _diff(app) == []
            downgrade(revision="base")
            assert _tables(app) == set()
            with db.engine.connect() as conn:  # the triggers' functions went with them
                assert conn.scalar(text("SELECT count(*) FROM pg_proc WHERE proname LIKE "
                                        "'%\\_refuse'")) == 0
            upgrade()
        assert _diff(app) == []
        assert len(_tables(app)) >= 25
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET summary = '篡改'",
    "DELETE FROM audit_event",
])
def test_the_audit_log_refuses_changes_on_postgresql(pg_app, statement: str) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.services import audit

    with pg_app.app_context():
        audit.record("create", actor=None, township_id=None, target_type="notice",
                     target_id=1, summary="原文")
        db.session.commit()
        with pytest.raises(sqlalchemy.exc.DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
        assert db.session.execute(text("SELECT summary FROM audit_event")).scalars().all() \
            == ["原文"]


def test_a_full_disk_on_the_postgresql_server_is_told_as_such() -> None:
    import psycopg.errors
    from sqlalchemy.exc import OperationalError

    from publisher.emergency.reserve import is_disk_full

    full = psycopg.errors.DiskFull("could not extend file \"base/16384/2619\": No space left")
    assert is_disk_full(OperationalError("INSERT ...", {}, full))
    other = psycopg.errors.QueryCanceled("canceling statement due to statement timeout")
    assert not is_disk_full(OperationalError("INSERT ...", {}, other))

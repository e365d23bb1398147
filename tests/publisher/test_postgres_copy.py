"""`villagecast db copy`: a seeded SQLite deployment moved into PostgreSQL, whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.conftest import AuthActions


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, migrated_template: Path) -> Path:  # noqa: ANN001
    """The demo township on SQLite (database and key file), seeded once for the module."""
    from publisher import create_app
    from publisher.extensions import db
    from publisher.seed import seed_demo

    base = tmp_path_factory.mktemp("seeded")
    shutil.copyfile(migrated_template, base / "source.db")
    app = create_app({"TESTING": True, "DATA_DIR": base / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base / 'source.db'}"})
    with app.app_context():
        list(seed_demo())
        # As after the clock rendered them: each item's latest version is on air (the key
        # from content_item to content_version closes a cycle the copy has to break).
        db.session.execute(text("UPDATE content_item SET live_version_id = (SELECT max(id) "
                                "FROM content_version WHERE item_id = content_item.id)"))
        db.session.commit()
        db.engine.dispose()
    return base


@pytest.fixture
def sqlite_app(tmp_path: Path, seeded: Path):  # noqa: ANN201
    """A copy of the seeded SQLite deployment, whatever database the rest of the suite uses."""
    from publisher import create_app
    from publisher.extensions import db

    shutil.copytree(seeded, tmp_path, dirs_exist_ok=True)
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'source.db'}"})
    yield app
    with app.app_context():
        db.engine.dispose()


def _copy(app, url: str):  # noqa: ANN001, ANN202
    from publisher.db_copy import copy_command

    return app.test_cli_runner().invoke(copy_command, ["--to", url])


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every model table, ordered by primary key, read without the models'
    types (ciphertexts as stored)."""
    from publisher.extensions import db

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: [tuple(r) for r in conn.execute(text(
                "SELECT " + ", ".join(f'"{c.name}"' for c in t.columns)  # noqa: S608
                + f' FROM "{t.name}" ORDER BY '
                + ", ".join(f'"{c.name}"' for c in (t.primary_key.columns or t.columns))))]
                for t in db.metadata.sorted_tables}
    finally:
        engine.dispose()


def _counts(url: str) -> dict[str, int]:
    return {name: len(rows) for name, rows in _rows(url).items()}


def test_a_seeded_sqlite_database_moves_to_postgresql(sqlite_app, postgres,
                                                      tmp_path: Path) -> None:  # noqa: ANN001
    from publisher import create_app
    from publisher.extensions import db
    from publisher.models import AuditEvent, ContentItem, Household, Township

    target = postgres.create_database("moved")  # empty: the copy migrates it
    result = _copy(sqlite_app, target.replace("postgresql+psycopg://", "postgresql://"))
    assert result.exit_code == 0, result.output
    assert "migrated it to" in result.output and "set DATABASE_URL=" in result.output

    source_url = sqlite_app.config["SQLALCHEMY_DATABASE_URI"]
    before = _counts(source_url)
    assert before["household"] > 0 and before["content_version"] > 0 and before["user"] >= 4
    assert _counts(target) == before
    # Ciphertexts and digests arrive byte for byte: the same key file opens them.
    source_rows, target_rows = _rows(source_url), _rows(target)
    for table in db.metadata.sorted_tables:
        secret = [i for i, c in enumerate(table.columns)
                  if c.name.endswith(("_enc", "_digest"))]
        if secret:
            assert [[r[i] for i in secret] for r in target_rows[table.name]] == \
                [[r[i] for i in secret] for r in source_rows[table.name]], table.name

    moved = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                        "SQLALCHEMY_DATABASE_URI": target})
    live = select(ContentItem.id, ContentItem.live_version_id).order_by(ContentItem.id)
    with sqlite_app.app_context():
        names = sorted(h.name for h in db.session.scalars(select(Household)))
        on_air = db.session.execute(live).all()
        assert on_air and all(version for _, version in on_air)
        last_township = db.session.scalar(select(func.max(Township.id)))
    try:
        with moved.app_context():
            assert sorted(h.name for h in db.session.scalars(select(Household))) == names
            assert names and all(names)
            assert db.session.execute(live).all() == on_air
            # Sequences moved on: a new row gets the next id, not a copied one's.
            township = Township(name="新乡", county="乾元县")
            db.session.add(township)
            db.session.commit()
            assert township.id == last_township + 1
            audits = db.session.scalar(select(func.count()).select_from(AuditEvent))
        client = moved.test_client()
        response = AuthActions(client).login("admin", "demo1234")
        assert response.status_code == 302 and "/login" not in response.headers["Location"]
        with moved.app_context():  # the login was audited in the new database
            assert db.session.scalar(select(func.count()).select_from(AuditEvent)) > audits
    finally:
        with moved.app_context():
            db.engine.dispose()


def test_a_database_with_rows_is_refused_and_left_alone(sqlite_app, postgres) -> None:  # noqa: ANN001
    target = postgres.create_database("busy")
    assert _copy(sqlite_app, target).exit_code == 0
    counts = _counts(target)
    again = _copy(sqlite_app, target)
    assert again.exit_code != 0
    assert "not empty" in again.output and "Traceback" not in again.output
    assert _counts(target) == counts


def test_a_value_the_target_refuses_leaves_no_rows(sqlite_app, postgres) -> None:  # noqa: ANN001
    from publisher.extensions import db

    with sqlite_app.app_context():
        # SQLite keeps a name longer than its column allows; PostgreSQL does not.
        db.session.execute(text("UPDATE village SET name = :n WHERE id = (SELECT max(id) "
                                "FROM village)"), {"n": "长" * 200})
        db.session.commit()
    target = postgres.create_database("refused")
    result = _copy(sqlite_app, target)
    assert result.exit_code != 0
    assert "refused" in result.output and "Traceback" not in result.output
    assert set(_counts(target).values()) == {0}


def test_a_bad_url_and_the_source_itself_are_refused(sqlite_app) -> None:  # noqa: ANN001
    bad = _copy(sqlite_app, "not a url")
    assert bad.exit_code != 0 and "not a database URL" in bad.output
    same = _copy(sqlite_app, sqlite_app.config["SQLALCHEMY_DATABASE_URI"])
    assert same.exit_code != 0 and "in use" in same.output

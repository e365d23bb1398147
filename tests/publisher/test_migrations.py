"""The migrations build exactly the schema the models declare, and run down and up again."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def _diff(app) -> list:  # noqa: ANN001
    from publisher.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        return compare_metadata(ctx, db.metadata)


def test_migrated_schema_matches_the_models(app) -> None:  # noqa: ANN001
    # Every table, column, index and foreign key a model declares exists after the
    # migrations, and nothing else does: a model change without its migration fails here.
    assert _diff(app) == []


def test_every_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    from flask_migrate import downgrade, upgrade

    from publisher import create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    with app.app_context():
        upgrade()
        downgrade(revision="0001")
        upgrade()
    assert _diff(app) == []

"""A migrated database per test (copied from one template), a fake clock, the spool."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

T0 = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # 07:30 on 23 November in Beijing
CADRE_PHONE = "13800000001"


@pytest.fixture(scope="session")
def migrated_db(migrated_template: Path) -> Path:
    """The suite's once-migrated SQLite template (tests/conftest.py)."""
    return migrated_template


@pytest.fixture
def app(tmp_path, database_uri):
    from publisher import create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": database_uri,
                      "SMS_SPOOL_DIR": tmp_path / "spool"})
    yield app
    from publisher.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def clock_start():
    """Where this folder's ``clock`` (tests/conftest.py) starts."""
    return T0


@pytest.fixture
def cadre(app, township):
    """Cadre 张三 with a registered mobile; returns ids."""
    from publisher.extensions import db
    from publisher.models import Cadre, Village

    with app.app_context():
        row = Cadre(township_id=township, name="张三", phone=CADRE_PHONE, post="副乡长")
        db.session.add(row)
        db.session.commit()
        village = db.session.query(Village).filter_by(name="张家村").one()
        return SimpleNamespace(id=row.id, township=township, village=village.id)

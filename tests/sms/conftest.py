"""A migrated database per test (copied from one template), a fake clock, the spool."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.fake_clock import install

T0 = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # 07:30 on 23 November in Beijing
CADRE_PHONE = "13800000001"


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path:
    from flask_migrate import upgrade

    from publisher import create_app

    base = tmp_path_factory.mktemp("template")
    app = create_app({"TESTING": True, "DATA_DIR": base / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base / 'template.db'}"})
    with app.app_context():
        upgrade()
    return base / "template.db"


@pytest.fixture
def app(tmp_path, migrated_db):
    import shutil

    from publisher import create_app

    shutil.copy(migrated_db, tmp_path / "test.db")
    return create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
                       "SMS_SPOOL_DIR": tmp_path / "spool"})


@pytest.fixture
def clock(app):
    return install(app, T0)


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

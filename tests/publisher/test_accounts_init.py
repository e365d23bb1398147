"""Production set-up with no demo accounts (``villagecast init``), and the demo marked as such."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.publisher.test_auth_support import fast_hashing  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def bare_app(tmp_path):  # noqa: ANN001, ANN201
    """An app on an empty database: nothing migrated, nothing seeded."""
    from publisher import create_app

    return create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}"})


def _init(app, *args: str, **kwargs):  # noqa: ANN001, ANN003, ANN202
    from publisher.auth.cli import init

    return app.test_cli_runner().invoke(init, list(args), **kwargs)


def _users(app) -> list[tuple[str, str, int | None, bool]]:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import User

    with app.app_context():
        return [(u.username, u.role, u.township_id, u.demo_password)
                for u in db.session.scalars(select(User))]


def test_init_migrates_and_creates_only_the_first_county_admin(bare_app):  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import ContentItem, Township

    result = _init(bare_app, "--username", "xian.admin", "--password-stdin",
                   input="Qianyuan-County-9\n")
    assert result.exit_code == 0, result.output
    assert _users(bare_app) == [("xian.admin", "admin", None, False)]
    with bare_app.app_context():  # no demo township, no demo content
        assert db.session.scalar(select(func.count()).select_from(Township)) == 0
        assert db.session.scalar(select(func.count()).select_from(ContentItem)) == 0
    login = bare_app.test_client()
    from tests.conftest import AuthActions

    assert AuthActions(login).login("xian.admin", "Qianyuan-County-9").status_code == 302
    assert login.get("/org/townships").status_code == 200
    # Run again: nothing new, and it says so.
    again = _init(bare_app, "--password-stdin", input="Another-Pass-77\n")
    assert again.exit_code == 0 and "已有账号" in again.output
    assert len(_users(bare_app)) == 1


def test_init_takes_the_password_from_the_environment(bare_app, monkeypatch):  # noqa: ANN001
    monkeypatch.setenv("VILLAGECAST_ADMIN_PASSWORD", "Qianyuan-County-9")
    assert _init(bare_app).exit_code == 0
    assert _users(bare_app) == [("admin", "admin", None, False)]


def test_init_refuses_a_weak_password(bare_app):  # noqa: ANN001
    for password, message in (("short", "至少 8 位"), ("admin2026x", "不能包含用户名"),
                              ("password123", "太常见")):
        result = _init(bare_app, "--password-stdin", input=f"{password}\n")
        assert result.exit_code == 2 and message in result.output, password
        assert _users(bare_app) == []
    from publisher.commands import create_user  # the other CLI door, same policy

    result = bare_app.test_cli_runner().invoke(create_user, [
        "wang", "--role", "admin", "--password", "demo1234"])
    assert result.exit_code == 2 and "太常见" in result.output
    assert _users(bare_app) == []


def test_the_login_page_warns_while_demo_accounts_keep_the_known_password(
        app, client):  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import User
    from publisher.seed import _seed_org

    with app.app_context():
        list(_seed_org())
        flagged = db.session.scalars(select(User.username).where(User.demo_password)).all()
    assert sorted(flagged) == ["admin", "cadre1", "editor", "reviewer"]
    assert "演示系统" in client.get("/login").get_data(as_text=True)
    with app.app_context():
        for user in db.session.scalars(select(User)):  # as a database seeded before the flag
            user.demo_password = False
        db.session.scalar(select(User).where(User.username == "editor")).set_password(
            "Jianshan-real-2026")
        db.session.commit()
        list(_seed_org())  # seeding again finds who still has the demo password
        flagged = db.session.scalars(select(User.username).where(User.demo_password)).all()
    assert sorted(flagged) == ["admin", "cadre1", "reviewer"]
    with app.app_context():
        for user in db.session.scalars(select(User)):
            user.set_password("Jianshan-real-2026")
        db.session.commit()
    assert "演示系统" not in client.get("/login").get_data(as_text=True)

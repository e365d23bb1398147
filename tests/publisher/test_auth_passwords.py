"""Passwords: one policy at every door, self-service change, and a reset the administrator
cannot go on using (the user must choose their own before anything else)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import AuthActions
from tests.publisher.test_auth_support import fast_hashing  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture(scope="module")
def babel_app():  # noqa: ANN201
    """Just enough app for the policy's translated messages (no database)."""
    from flask import Flask
    from flask_babel import Babel

    app = Flask(__name__)
    Babel(app)
    return app


@pytest.mark.parametrize(("password", "message"), [
    ("short7!", "至少 8 位"),
    ("x" * 129, "不能超过"),
    ("wang.wei-2026", "不能包含用户名"),
    ("WANGWEI99", "不能包含用户名"),
    ("demo1234", "太常见"),
    ("Password-1", "太常见"),
    ("12345678", "太常见"),
    ("aaaaaaaaaa", "太常见"),
])
def test_the_policy_refuses_weak_passwords(babel_app, password, message):  # noqa: ANN001
    from publisher.services.errors import FieldError
    from publisher.services.passwords import check_password

    with babel_app.test_request_context(), pytest.raises(FieldError, match=message):
        check_password(password, "wang.wei")


def test_the_policy_accepts_a_reasonable_password(babel_app):  # noqa: ANN001
    from publisher.services.passwords import check_password

    with babel_app.test_request_context():
        check_password("Shimen-cun-2026", "wang.wei")  # no exception


def _post(client, path: str, data: dict | None = None):  # noqa: ANN001, ANN202
    token = AuthActions(client).csrf_token("/account/password")
    return client.post(path, data={"csrf_token": token, **(data or {})})


def _change(client, current: str, new: str, confirm: str | None = None):  # noqa: ANN001, ANN202
    return _post(client, "/account/password", {
        "current_password": current, "new_password": new,
        "confirm": new if confirm is None else confirm})


BAD_CHANGES = [
    ("wrong-current", "Liushu-wan-88", None, "当前密码不正确"),
    ("secret-pass", "Liushu-wan-88", "Liushu-wan-89", "两次输入的新密码不一致"),
    ("secret-pass", "password1", None, "太常见"),
    ("secret-pass", "wang-in-2026", None, "不能包含用户名"),
    ("secret-pass", "secret-pass", None, "不能与当前密码相同"),
]


def test_own_password_change_refuses_bad_input(app, client, auth, township, make_user):
    make_user("wang", township_id=township)
    auth.login("wang")
    for current, new, confirm, message in BAD_CHANGES:
        response = _change(client, current, new, confirm)
        assert response.status_code == 400 and message in response.get_data(as_text=True), new
    auth.logout()
    assert auth.login("wang", "secret-pass").status_code == 302  # unchanged


def test_own_password_change_works_and_is_audited(app, client, auth, township, make_user):
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import AuditEvent

    make_user("wang", township_id=township)
    auth.login("wang")
    assert "修改密码" in client.get("/").get_data(as_text=True)  # linked from every page
    assert _change(client, "secret-pass", "Liushu-wan-88").status_code == 302
    auth.logout()
    assert auth.login("wang", "secret-pass").status_code == 200
    assert auth.login("wang", "Liushu-wan-88").status_code == 302
    with app.app_context():
        events = db.session.scalars(select(AuditEvent.action)).all()
    assert "change_password" in events and "logout" in events


def _reset(app, admin_client, user_id: int) -> str:  # noqa: ANN001
    response = _post(admin_client, f"/org/users/{user_id}/password")
    assert response.status_code == 200
    return re.search(r'id="secret">([^<]+)<', response.get_data(as_text=True)).group(1)


def test_after_a_reset_the_account_can_do_nothing_but_choose_its_own_password(
        app, client, township, make_user):
    from publisher.extensions import db
    from publisher.models import User

    wang_id = make_user("wang", township_id=township)
    make_user("boss", role="admin", township_id=township)
    with app.app_context():
        token = db.session.get(User, wang_id).issue_api_token()
        db.session.commit()
    admin = app.test_client()
    AuthActions(admin).login("boss")
    temporary = _reset(app, admin, wang_id)
    # Whoever holds the temporary password (the administrator saw it) gets only this page.
    response = AuthActions(client).login("wang", temporary)
    assert response.headers["Location"] == "/account/password"
    for path in ("/", "/content/policy", "/review", "/org/users", "/audit"):
        page = client.get(path)
        assert page.status_code == 302 and page.headers["Location"] == "/account/password", path
    assert "临时密码" in client.get("/account/password").get_data(as_text=True)
    api = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 403
    assert api.get_json()["error"]["code"] == "password_change_required"
    # Choosing a new one opens everything; the temporary password is then useless.
    assert _change(client, temporary, "Shimen-cun-2026").status_code == 302
    assert client.get("/").status_code == 200
    assert app.test_client().get("/api/v1/me", headers={
        "Authorization": f"Bearer {token}"}).status_code == 200
    assert AuthActions(app.test_client()).login("wang", temporary).status_code == 200


def test_an_account_made_by_an_administrator_chooses_its_password_at_first_login(
        app, client, auth, township, make_user):
    make_user("boss", role="admin", township_id=township)
    auth.login("boss")
    for password, message in (("letmein", "至少 8 位"), ("demo1234", "太常见"),
                              ("li.si-2026", "不能包含用户名")):  # the same policy here
        response = _post(client, "/org/users/new", {
            "username": "li.si", "display_name": "李四", "role": "editor",
            "password": password})
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    response = _post(client, "/org/users/new", {
        "username": "li.si", "display_name": "李四", "role": "editor",
        "password": "Chosen-by-boss-1"})
    assert response.status_code == 303
    auth.logout()
    assert auth.login("li.si", "Chosen-by-boss-1").headers["Location"] == "/account/password"
    assert client.get("/").headers["Location"] == "/account/password"

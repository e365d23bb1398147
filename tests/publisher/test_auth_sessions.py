"""Sessions end on the server: a cookie copied before logout, a password change, a reset or
a deactivation no longer opens the admin, the remember-me cookie included."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions
from tests.publisher.test_auth_support import fast_hashing  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("fast_hashing")


def _login(client, username: str, password: str = "secret-pass", remember: bool = False):  # noqa: ANN001, ANN202
    token = AuthActions(client).csrf_token("/login")
    data = {"username": username, "password": password, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def _replay(app, **cookies: str) -> int:  # noqa: ANN001
    """Status of the dashboard for a fresh browser that only has these cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other.get("/").status_code


def _post(client, path: str, data: dict | None = None):  # noqa: ANN001, ANN202
    token = AuthActions(client).csrf_token("/")
    return client.post(path, data={"csrf_token": token, **(data or {})})


def test_cookies_saved_before_logout_no_longer_work(app, client, auth, township, make_user):
    make_user("wang", township_id=township)
    response = _login(client, "wang", remember=True)
    set_cookie = next(h for h in response.headers.getlist("Set-Cookie")
                      if h.startswith("remember_token="))
    # Two weeks, not Flask-Login's year; HttpOnly and SameSite=Lax; not Secure over http.
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", set_cookie).group(1))
    assert timedelta(days=13) < expires - datetime.now(UTC) <= timedelta(days=14)
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert "Secure" not in set_cookie
    session = client.get_cookie("session").value
    remembered = client.get_cookie("remember_token").value
    # Each copy alone opens the admin while the session lives …
    assert _replay(app, session=session) == 200
    assert _replay(app, remember_token=remembered) == 200
    auth.logout()
    # … and neither does once the user has logged out.
    assert _replay(app, session=session) == 302
    assert _replay(app, remember_token=remembered) == 302
    assert _replay(app, session=session, remember_token=remembered) == 302
    # Neither does a session naming the user without the key (the cookie format before
    # session keys) or with a guessed key.
    wang_id = int(session_user_id(app, session).split(".")[0])
    for forged in (str(wang_id), f"{wang_id}.{'0' * 32}"):
        with client.session_transaction() as stored:
            stored["_user_id"] = forged
            stored["_fresh"] = True
        assert client.get("/").status_code == 302, forged


def session_user_id(app, cookie: str) -> str:  # noqa: ANN001
    """The user id Flask-Login put in a (signed) session cookie."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(cookie)["_user_id"]


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, township,
                                                                make_user):
    make_user("wang", township_id=township)
    elsewhere = app.test_client()
    assert _login(elsewhere, "wang", remember=True).status_code == 302
    other_session = elsewhere.get_cookie("session").value
    other_remember = elsewhere.get_cookie("remember_token").value
    _login(client, "wang")
    response = _post(client, "/account/password", {
        "current_password": "secret-pass", "new_password": "Huangtu-ping-7",
        "confirm": "Huangtu-ping-7"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert _replay(app, session=other_session) == 302
    assert _replay(app, remember_token=other_remember) == 302


def test_an_administrators_reset_ends_the_users_sessions(app, client, township, make_user):
    wang_id = make_user("wang", township_id=township)
    make_user("boss", role="admin", township_id=township)
    wang = app.test_client()
    _login(wang, "wang", remember=True)
    remembered = wang.get_cookie("remember_token").value
    _login(client, "boss")
    assert _post(client, f"/org/users/{wang_id}/password").status_code == 200
    assert wang.get("/").status_code == 302
    assert _replay(app, remember_token=remembered) == 302


def test_deactivation_ends_sessions_and_revokes_the_api_token(app, client, township, make_user):
    from publisher.extensions import db
    from publisher.models import User

    wang_id = make_user("wang", township_id=township)
    make_user("boss", role="admin", township_id=township)
    with app.app_context():
        token = db.session.get(User, wang_id).issue_api_token()
        db.session.commit()
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/me", headers=bearer).status_code == 200
    wang = app.test_client()
    _login(wang, "wang", remember=True)
    saved = {"session": wang.get_cookie("session").value,
             "remember_token": wang.get_cookie("remember_token").value}
    _login(client, "boss")
    assert _post(client, f"/org/users/{wang_id}/active", {"active": "0"}).status_code == 303
    assert _post(client, f"/org/users/{wang_id}/active", {"active": "1"}).status_code == 303
    # Even once active again, the old browser and the old token stay out.
    assert wang.get("/").status_code == 302
    assert _replay(app, **saved) == 302
    assert api.get("/api/v1/me", headers=bearer).status_code == 401
    with app.app_context():
        assert db.session.scalar(select(User.api_token_hash).where(User.id == wang_id)) == ""


def test_cookies_are_secure_when_configured_for_https(tmp_path, monkeypatch):  # noqa: ANN001
    from flask_migrate import upgrade

    from publisher import create_app

    monkeypatch.setenv("VILLAGECAST_SECURE_COOKIES", "1")
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "https", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'https.db'}"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    with app.app_context():
        upgrade()
        from publisher.extensions import db
        from publisher.models import User

        user = User(username="wang", display_name="wang", role="editor")
        user.set_password("secret-pass")
        db.session.add(user)
        db.session.commit()
    client = app.test_client()
    response = _login(client, "wang", remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    assert {c.split("=")[0] for c in cookies} >= {"session", "remember_token"}
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie

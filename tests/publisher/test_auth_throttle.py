"""Login throttling, tried as an attacker would: many wrong passwords, then the right one."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from publisher.auth.throttle import ACCOUNT_LIMIT, WINDOW, retry_after
from tests.conftest import AuthActions
from tests.publisher.test_auth_support import fast_hashing  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("fast_hashing")

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def test_retry_after_counts_only_failures_inside_the_window():
    minute = timedelta(minutes=1)
    assert retry_after([], 3, NOW) is None
    assert retry_after([NOW - minute, NOW - 2 * minute], 3, NOW) is None
    three = [NOW - minute, NOW - 2 * minute, NOW - 3 * minute]
    # Open again when the oldest of the three leaves the window.
    assert retry_after(three, 3, NOW) == WINDOW - 3 * minute
    old = [NOW - WINDOW - minute, NOW - minute, NOW - 2 * minute]
    assert retry_after(old, 3, NOW) is None
    # Of many failures, the lock lasts until the limit-th newest is out of the window.
    many = [NOW - k * minute for k in range(1, 10)]
    assert retry_after(many, 3, NOW) == WINDOW - 3 * minute


def _attempt(client, username: str, password: str, addr: str = "127.0.0.1"):  # noqa: ANN001, ANN202
    token = AuthActions(client).csrf_token("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token},
                       environ_base={"REMOTE_ADDR": addr})


def _actions(app) -> list[tuple[str, str]]:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import AuditEvent

    with app.app_context():
        return [(e.action, e.summary) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("login%")).order_by(AuditEvent.id))]


def test_fifty_wrong_passwords_then_the_right_one_is_refused(app, client, township, make_user,
                                                             caplog):
    make_user("wang", township_id=township)
    caplog.set_level(logging.WARNING, logger="publisher.auth")
    statuses = [_attempt(client, "wang", f"guess-{n}").status_code for n in range(50)]
    assert statuses[:ACCOUNT_LIMIT - 1] == [200] * (ACCOUNT_LIMIT - 1)
    assert set(statuses[ACCOUNT_LIMIT - 1:]) == {429}
    response = _attempt(client, "wang", "secret-pass")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/").status_code == 302  # not logged in
    actions = _actions(app)
    assert [a for a, _s in actions].count("login_failed") == ACCOUNT_LIMIT
    # The lock is audited once, when it begins; the tries while it lasts go to the app log
    # only (an attacker cannot flood the append-only audit table).
    assert [a for a, _s in actions].count("login_locked") == 1
    assert caplog.text.count("login_locked") == 51 - ACCOUNT_LIMIT + 1
    assert "login" not in [a for a, _s in actions]
    # Neither the audit log nor the app log holds a password tried.
    written = " ".join(s for _a, s in actions) + caplog.text
    assert "wang" in written and "guess-" not in written and "secret-pass" not in written


def test_the_account_lock_holds_from_any_address_and_opens_after_the_window(
        app, client, township, make_user, clock):
    make_user("wang", township_id=township)
    for n in range(ACCOUNT_LIMIT):  # one account, many addresses, any letter case
        _attempt(client, "WANG" if n % 2 else "wang", f"guess-{n}", addr=f"10.0.0.{n}")
    assert _attempt(client, "wang", "secret-pass", addr="10.9.9.9").status_code == 429
    clock.advance(seconds=(WINDOW + timedelta(seconds=5)).total_seconds())
    assert _attempt(client, "wang", "secret-pass").status_code == 302
    assert client.get("/").status_code == 200


def test_one_address_trying_many_accounts_is_locked(app, client, township, make_user,
                                                    monkeypatch):
    from publisher.auth import throttle

    # The same rule with a smaller number, so the test hashes fewer passwords.
    monkeypatch.setattr(throttle, "ADDRESS_LIMIT", 6)
    make_user("wang", township_id=township)
    for n in range(6):  # a spray: one try per made-up account
        assert _attempt(client, f"user{n}", "Password1", addr="203.0.113.7").status_code in (
            200, 429)
    assert _attempt(client, "wang", "secret-pass", addr="203.0.113.7").status_code == 429
    # Another address is not affected, and unknown names are not written to the audit log.
    assert _attempt(client, "wang", "secret-pass", addr="198.51.100.2").status_code == 302
    assert not any("user1" in s for _a, s in _actions(app))


def test_a_deactivated_account_or_an_unknown_name_fails_like_a_wrong_password(
        app, client, township, make_user):
    from publisher.extensions import db
    from publisher.models import User

    user_id = make_user("wang", township_id=township)
    make_user("li", township_id=township)
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    # The same answer whether the account exists, is deactivated or the password is wrong.
    for username, password in (("wang", "secret-pass"), ("li", "wrong-one"),
                               ("nobody", "wrong-one")):
        response = _attempt(client, username, password)
        assert response.status_code == 200
        assert "用户名或密码错误" in response.get_data(as_text=True)
    assert ("login_failed", "wang 账号已停用") in _actions(app)
    assert ("login_failed", "li 密码错误") in _actions(app)


def test_the_client_address_comes_from_a_proxy_only_when_one_is_configured(
        tmp_path, client, township, make_user, monkeypatch):
    from flask_migrate import upgrade

    from publisher import create_app
    from publisher.auth import throttle
    from publisher.extensions import db
    from publisher.models import User

    monkeypatch.setattr(throttle, "ADDRESS_LIMIT", 3)

    def spray(target, forwarded: str) -> int:  # noqa: ANN001
        token = AuthActions(target).csrf_token("/login")
        return target.post("/login", data={"username": f"u{forwarded}", "password": "x" * 9,
                                           "csrf_token": token},
                           headers={"X-Forwarded-For": forwarded}).status_code

    # No proxy configured: a forged X-Forwarded-For does not get a locked address out.
    make_user("wang", township_id=township)
    assert [spray(client, f"10.0.0.{n}") for n in range(3)][-1] == 429
    assert _attempt(client, "wang", "secret-pass").status_code == 429
    # Behind one proxy: each client is counted by the address the proxy saw.
    proxied = create_app({"TESTING": True, "DATA_DIR": tmp_path / "proxied", "PROXY_HOPS": 1,
                          "SECRET_KEY": "test",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxied.db'}"})
    with proxied.app_context():
        upgrade()
        user = User(username="wang", display_name="wang", role="admin")
        user.set_password("secret-pass")
        db.session.add(user)
        db.session.commit()
    behind = proxied.test_client()
    assert [spray(behind, "203.0.113.5") for _n in range(3)][-1] == 429
    token = AuthActions(behind).csrf_token("/login")
    response = behind.post("/login", data={"username": "wang", "password": "secret-pass",
                                           "csrf_token": token},
                           headers={"X-Forwarded-For": "198.51.100.9"})
    assert response.status_code == 302

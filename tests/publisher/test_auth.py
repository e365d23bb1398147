def test_admin_pages_require_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_login_with_wrong_password_shows_chinese_error(client, auth, township, make_user):
    make_user("wang", township_id=township)
    response = auth.login("wang", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_login_then_logout(client, auth, township, make_user):
    make_user("wang", township_id=township)
    response = auth.login("wang")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302


def test_login_form_without_csrf_token_is_refused(client, township, make_user):
    make_user("wang", township_id=township)
    response = client.post("/login", data={"username": "wang", "password": "secret-pass"})
    assert response.status_code in (200, 303)
    assert client.get("/").status_code == 302  # still logged out


def test_login_is_audited(app, auth, township, make_user):
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import AuditEvent

    make_user("wang", township_id=township)
    auth.login("wang")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).all()
        assert [e.summary for e in events] == ["wang"]


def test_audit_log_cannot_be_edited_even_with_raw_sql(app, auth, township, make_user):
    import sqlalchemy.exc
    from sqlalchemy import text

    from publisher.extensions import db

    make_user("wang", township_id=township)
    auth.login("wang")
    with app.app_context():
        try:
            db.session.execute(text("UPDATE audit_event SET summary = 'x'"))
            db.session.commit()
            raised = False
        except sqlalchemy.exc.DatabaseError as exc:
            raised = "append-only" in str(exc)
            db.session.rollback()
        assert raised

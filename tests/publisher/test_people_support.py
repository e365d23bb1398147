"""Fixtures and helpers for the people, organisation, import and API tests (no tests here).

Other modules import the fixtures from here; pytest then registers them there too.
"""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
from PIL import Image

CADRE_PHONE = "13812345678"
PASSWORD = "secret-pass"  # the password ``make_user`` and ``auth.login`` use
# Hashed once with few iterations: the default (scrypt) costs 0.1 s per user and per login,
# which would triple the runtime of these tests. Real accounts keep the default.
_FAST_HASH = None


def fast_hash() -> str:
    global _FAST_HASH
    if _FAST_HASH is None:
        from werkzeug.security import generate_password_hash

        _FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    return _FAST_HASH


def add_user(username: str, role: str, township_id: int | None) -> int:
    """A user (inside an app context) with the test password, quickly."""
    from publisher.extensions import db
    from publisher.models import User

    user = User(username=username, display_name=username, role=role, township_id=township_id,
                password_hash=fast_hash())
    db.session.add(user)
    db.session.flush()
    return user.id


@pytest.fixture
def org(app, township):  # noqa: ANN001, ANN201
    """Two townships with staff of every role, cadres, and a county administrator.

    Township A is the shared ``township`` fixture (监山乡: 张家村, 李家沟村, channel
    jianshan); township B (河口镇) exists so every test can check that A's staff cannot
    see B's things.
    """
    return populate(app, township)


def populate(app, township: int) -> SimpleNamespace:  # noqa: ANN001
    """Fill ``app``'s database around township ``township`` (see :func:`org`)."""
    from publisher.extensions import db
    from publisher.models import Cadre, Channel, Township, Village

    ids = SimpleNamespace(a=township)
    with app.app_context():
        b = Township(name="河口镇", county="乾元县", checkin_deadline_hour=9)
        db.session.add(b)
        db.session.flush()
        ids.b = b.id
        b_village = Village(township_id=b.id, name="王庄村")
        b_channel = Channel(township_id=b.id, slug="hekou", name="河口乡村频道")
        db.session.add_all([b_village, b_channel])
        db.session.commit()
        ids.b_village, ids.b_channel = b_village.id, b_channel.id
        a = db.session.get(Township, township)
        ids.zhang, ids.li = (next(v.id for v in a.villages if v.name == n)
                             for n in ("张家村", "李家沟村"))
        ids.a_channel = a.channels[0].id
    with app.app_context():
        ids.admin = add_user("admin_a", "admin", township)
        ids.editor = add_user("editor_a", "editor", township)
        ids.reviewer = add_user("reviewer_a", "reviewer", township)
        ids.cadre_user = add_user("cadre_a", "cadre", township)
        ids.county = add_user("county", "admin", None)
        ids.admin_b = add_user("admin_b", "admin", ids.b)
        ids.editor_b = add_user("editor_b", "editor", ids.b)
        zhang = db.session.get(Village, ids.zhang)
        c1 = Cadre(township_id=township, name="张明", post="党委副书记", phone=CADRE_PHONE,
                   office_phone="0991-1234567", responsibilities="农业农村", sort_order=10,
                   user_id=ids.cadre_user, villages=[zhang])
        c2 = Cadre(township_id=township, name="李芳", post="副乡长", phone="13900001111",
                   sort_order=20)
        c3 = Cadre(township_id=ids.b, name="赵强", post="镇长", phone="13700002222",
                   villages=[db.session.get(Village, ids.b_village)])
        db.session.add_all([c1, c2, c3])
        db.session.commit()
        ids.cadre, ids.cadre2, ids.cadre_b = c1.id, c2.id, c3.id
    return ids


@pytest.fixture(scope="module")
def world(tmp_path_factory):  # noqa: ANN001, ANN201
    """``(app, ids)``: the ``org`` data in one app shared by a whole test module.

    Building an app runs every migration (about half a second); tests that are refused
    and change nothing (bad input, another township's object) share one to stay fast.
    Each test logs in with its own client (:func:`client_for`).
    """
    from flask_migrate import upgrade

    from publisher import create_app
    from publisher.extensions import db
    from publisher.models import Channel, Township, Village

    base = tmp_path_factory.mktemp("world")
    app = create_app({"TESTING": True, "DATA_DIR": base / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{base / 'test.db'}"})
    with app.app_context():
        upgrade()
        a = Township(name="监山乡", county="乾元县", duty_phone="0991-1234567")
        db.session.add(a)
        db.session.flush()
        db.session.add_all([Village(township_id=a.id, name="张家村"),
                            Village(township_id=a.id, name="李家沟村"),
                            Channel(township_id=a.id, slug="jianshan", name="监山乡村频道")])
        db.session.commit()
        township = a.id
    return app, populate(app, township)


def client_for(app, username: str):  # noqa: ANN001, ANN201
    """A new test client of ``app`` logged in as ``username``."""
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, f"could not log in as {username}"
    return client


def csrf(client) -> str:  # noqa: ANN001
    """The CSRF token of the logged-in session (every page carries it in a meta tag)."""
    html = client.get("/checkin").get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "no CSRF token"
    return match.group(1)


def post(client, path: str, data: dict | None = None, **kw):  # noqa: ANN001, ANN003, ANN201
    """POST a form with the session's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf(client)}, **kw)


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (800, 600),
                colour: tuple[int, int, int] = (200, 40, 40), **save: object) -> bytes:
    out = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, size, colour).save(out, fmt, **save)
    return out.getvalue()


def text_of(response) -> str:  # noqa: ANN001
    return response.get_data(as_text=True)

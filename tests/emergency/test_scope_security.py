"""The low items of issue 11: rendered slides scoped by township, a cadre's reveal limited to
their villages, and the Host header kept out of the cached channel list and guide."""

from __future__ import annotations

import re

from .test_incident_security import _make

MINE, THEIRS = "a1" * 32, "b2" * 32  # page keys: content hashes


def _slides(app, township) -> int:
    """A version of ``township`` rendered to page MINE; another township's preview THEIRS.
    Returns the other township's id."""
    from PIL import Image

    from publisher.extensions import db
    from publisher.models import ContentItem, ContentVersion, Job, Township

    for key in (MINE, THEIRS):
        path = app.config["CACHE_DIR"] / "pages" / key[:2] / f"{key}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (8, 8)).save(path)
    with app.app_context():
        item = ContentItem(township_id=township, kind="notice")
        db.session.add(item)
        db.session.add(ContentVersion(item=item, number=1, title="通知", data={},
                                      pages={"jianshan": [{"key": MINE, "page_no": 1}]}))
        other = Township(name="别的乡", county="乾元县")
        db.session.add(other)
        db.session.flush()
        db.session.add(Job(kind="preview", payload={"township_id": other.id},
                           result={"pages": [{"key": THEIRS, "page_no": 1}]}))
        db.session.commit()
        return other.id


def test_rendered_slides_are_scoped_by_township(app, client, auth, township, make_user):
    other = _slides(app, township)
    make_user("here", role="editor", township_id=township)
    make_user("there", role="editor", township_id=other)
    make_user("county", role="admin")
    assert client.get(f"/render/{MINE}.png").status_code == 302  # login first
    auth.login("here")
    assert client.get(f"/render/{MINE}.png").status_code == 200
    assert client.get(f"/render/{THEIRS}.png").status_code == 404
    auth.logout()
    auth.login("there")
    assert client.get(f"/render/{MINE}.png").status_code == 404
    assert client.get(f"/render/{THEIRS}.png").status_code == 200
    auth.logout()
    auth.login("county")
    assert client.get(f"/render/{MINE}.png").status_code == 200
    from publisher.extensions import db
    from publisher.models import AuditEvent

    with app.app_context():
        refused = db.session.query(AuditEvent).filter_by(action="refused",
                                                         target_type="page").count()
    assert refused == 2


def test_a_cadre_reveals_only_households_of_their_villages(app, world, make_user):
    from tests.conftest import AuthActions

    from .conftest import HOUSEHOLD

    full = f"{HOUSEHOLD[:3]} {HOUSEHOLD[3:7]} {HOUSEHOLD[7:]}"
    for role, shown in (("cadre_of_village", True), ("cadre_of_other_village", False)):
        username = _make(app, make_user, world, role)
        client = app.test_client()
        AuthActions(client).login(username)
        page = client.get(f"/emergency/households/{world.household}").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        revealed = client.post(f"/emergency/households/{world.household}/reveal",
                               data={"csrf_token": token}, follow_redirects=True)
        text = revealed.get_data(as_text=True)
        assert (HOUSEHOLD in text or full in text) is shown, role
        edit = client.get(f"/emergency/households/{world.household}/edit")
        assert (edit.status_code == 200) is shown, role
    # The other village's cadre can neither add a device (which could raise the alarm) nor
    # start a drill (which texts the responders) there.
    base = f"/emergency/households/{world.household}"
    assert client.post(f"{base}/phone-card", data={"csrf_token": token}).status_code == 403
    assert client.post(f"{base}/devices", data={"csrf_token": token, "label": "x",
                                                "test_interval_hours": 24}).status_code == 400
    assert client.post(f"{base}/drill", data={"csrf_token": token}).status_code == 403
    from publisher.extensions import db
    from publisher.models.emergency import Device, Incident

    with app.app_context():
        assert db.session.query(Device).count() == 1  # the world's own device only
        assert db.session.query(Incident).count() == 0


def test_the_host_header_never_reaches_the_channel_list_or_guide(app, client, township):
    app.config["PUBLIC_BASE_URL"] = "http://tv.jianshan.gov.cn:8000"
    for path in ("/channels.m3u", "/epg.xml"):
        body = client.get(path, headers={"Host": "evil.example",
                                         "X-Forwarded-Host": "evil2.example"}).get_data(
            as_text=True)
        assert "evil" not in body, path
        if path == "/channels.m3u":  # the guide lists channels only once they have a plan
            assert "http://tv.jianshan.gov.cn:8000/live/jianshan/index.m3u8" in body

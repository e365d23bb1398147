"""The household's phone page (issue 12): the card staff print, the page, its JSON calls."""

import re

import pytest

from .conftest import RELATIVE
from .test_reply_codes import codes, reply


@pytest.fixture
def card(app, client, auth, world):
    """Staff make a card; returns (page link, token)."""
    auth.login("boss")
    page = client.get(f"/emergency/households/{world.household}")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post(f"/emergency/households/{world.household}/phone-card",
                           data={"csrf_token": csrf})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<svg" in html and "一键呼救卡" in html
    link = re.search(r"(http://\S+/emergency/phone/#t=([A-Za-z0-9_-]+))", html)
    auth.logout()
    return link.group(1), link.group(2)


def call(client, path, token, **body):
    return client.post(f"/emergency/phone/{path}", json=body,
                       headers={"X-Household-Token": token})


def test_the_card_holds_the_token_only_in_the_fragment(card):
    link, token = card
    assert link.split("#")[0].endswith("/emergency/phone/") and len(token) >= 32


def test_the_page_manifest_and_worker_are_served_without_the_token(app, client):
    page = client.get("/emergency/phone/")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert 'rel="manifest"' in page.get_data(as_text=True)
    manifest = client.get("/emergency/phone/manifest.webmanifest").json
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/emergency/phone/"
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200
    worker = client.get("/emergency/phone/sw.js")
    assert worker.status_code == 200 and "javascript" in worker.mimetype


def test_the_sms_fallback_is_a_prefilled_sms_to_the_gateway(app, client):
    app.config["SMS_GATEWAY_NUMBER"] = "13800100500"
    html = client.get("/emergency/phone/").get_data(as_text=True)
    assert 'href="sms:13800100500?body=%E5%91%BC%E6%95%91"' in html


def test_a_wrong_token_is_refused(client, card):
    assert call(client, "status", "x" * 32).status_code == 404
    assert call(client, "press", "", idempotency_key="k1").status_code == 404


def test_press_shows_who_acknowledged_and_cancel_tells_them(app, client, clock, card, world,
                                                            helpers):
    _link, token = card
    assert call(client, "status", token).json["state"] == "none"
    pressed = call(client, "press", token, idempotency_key="p-1")
    assert pressed.status_code == 201 and pressed.json["state"] == "triggered"
    assert call(client, "press", token, idempotency_key="p-1").json["outcome"] == "duplicate"
    helpers.tick(app, clock)
    (code,) = codes(app, pressed.json["incident"])
    reply(app, clock, RELATIVE, code)
    status = call(client, "status", token).json
    assert status["state"] == "acknowledged" and status["acknowledged_by"] == "李四"
    assert status["household"] == "张家村 王大爷" and status["open"] is True
    cancelled = call(client, "cancel", token).json
    assert cancelled["state"] == "cancelled" and cancelled["open"] is False
    assert any("误报" in t for n, t in helpers.outbound(app) if n == RELATIVE)


def test_location_only_with_consent_and_encrypted(app, client, clock, card, auth):
    from publisher.extensions import db
    from publisher.models import Incident

    _link, token = card
    where = {"lat": 34.123456, "lon": 108.5, "accuracy": 25}
    first = call(client, "press", token, idempotency_key="p-2", location=where).json
    with app.app_context():
        assert db.session.get(Incident, first["incident"]).location_enc == ""  # not ticked
    call(client, "press", token, idempotency_key="p-2", share_location=True, location=where)
    with app.app_context():
        stored = db.session.get(Incident, first["incident"]).location_enc
    assert stored and "34.12" not in stored
    auth.login("boss")
    html = client.get(f"/emergency/incidents/{first['incident']}").get_data(as_text=True)
    assert "34.12346,108.50000 ±25m" in html

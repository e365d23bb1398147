"""Web hardening (issue 11, items 8–10): security headers on every response, no caching of
personal data, no inline script, refused requests audited with a rate limit, and device
tokens kept out of URLs and logs."""

from __future__ import annotations

import logging
import re

import pytest

from publisher.security import headers

PAGES = ("/", "/emergency/", "/emergency/households", "/emergency/incidents",
         "/emergency/sms", "/emergency/alerts", "/emergency/responders", "/audit",
         "/org/users", "/cadres", "/whereabouts", "/channel", "/review")


def _refusals(app) -> list:
    from publisher.extensions import db
    from publisher.models import AuditEvent

    with app.app_context():
        rows = db.session.query(AuditEvent).filter_by(action="refused").order_by(AuditEvent.id)
        return [(r.actor_id, r.township_id, r.target_type, r.summary, r.remote_addr)
                for r in rows]


def _has_security_headers(response) -> None:
    for name, value in headers.HEADERS.items():
        assert response.headers.get(name) == value or (
            name == "Referrer-Policy" and response.headers[name] == "no-referrer"), name
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "unsafe-inline" not in csp.split("style-src ")[1].split(";")[0]


def test_every_response_carries_the_security_headers(app, client, auth, world):
    """Public answers, errors and every staff page: headers; staff pages and household data
    never stored by a browser or proxy, and no inline script (the CSP would block it)."""
    public = ["/login", "/healthz/live", "/channels.m3u", "/epg.xml", "/static/admin.js",
              "/emergency/phone/", "/no/such/page", "/emergency/ack/not-a-link"]
    for path in public:
        response = client.get(path)
        assert response.status_code < 500
        _has_security_headers(response)
    _has_security_headers(client.post("/emergency/trigger", headers={"X-Device-Token": "x"}))
    # Public channel data keeps its own caching: players poll it.
    assert client.get("/channels.m3u").headers["Cache-Control"] == "max-age=60"
    assert "no-store" not in client.get("/static/admin.js").headers.get("Cache-Control", "")

    auth.login("boss")
    for path in (*PAGES, f"/emergency/households/{world.household}"):
        response = client.get(path)
        assert response.status_code == 200, path
        _has_security_headers(response)
        assert response.headers["Cache-Control"] == "no-store", path
        html = response.get_data(as_text=True)
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
        for style in re.findall(r"<style\b[^>]*>", html):  # only the page's own blocks run
            assert f'nonce="{nonce.group(1)}"' in style, (path, style)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert not re.search(r"\son[a-z]+\s*=", html), path
        assert "javascript:" not in html, path


@pytest.mark.parametrize(("path", "endpoint", "authenticated", "current", "wanted"), [
    ("/static/admin.js", "static", True, None, None),
    ("/channels.m3u", "live.channel_list", False, "max-age=60", None),
    ("/emergency/households", "emergency.households", True, None, "no-store"),
    ("/api/v1/content", "api.x", False, None, "no-store"),
    ("/render/ab.png", "live.rendered_page", True, "private, max-age=1", None),
    ("/channel", "live.channel_page", True, "max-age=60", "no-store"),
])
def test_the_caching_rule(path, endpoint, authenticated, current, wanted):
    mimetype = "image/png" if path.endswith(".png") else "text/html"
    assert headers.cache_control(path, endpoint, mimetype, authenticated, current) == wanted


def _token(client, path="/emergency/"):
    return re.search(r'name="csrf-token" content="([^"]+)"',
                     client.get(path).get_data(as_text=True)).group(1)


def test_refusals_are_audited_with_who_what_and_why(app, client, auth, world, clock, helpers):
    incident = helpers.trigger(app, clock, world).incident_id
    client.get(f"/emergency/households/{world.household}")  # not logged in
    client.post(f"/emergency/trigger/{world.token[:6]}WRONGTOKEN", headers={
        "Idempotency-Key": "k"})
    auth.login("xiaoli")
    client.post(f"/emergency/incidents/{incident}/cancel",
                data={"csrf_token": _token(client), "note": "x"})  # editor: 403
    client.get("/emergency/households/999999")  # no such row: 404 on a scoped URL
    rows = _refusals(app)
    assert len(rows) == 4, rows
    anonymous, token, forbidden, missing = rows
    assert anonymous[0] is None and f"/emergency/households/{world.household}" in anonymous[3]
    assert "WRONGTOKEN" not in token[3] and "<token>" in token[3] and "令牌" in token[3]
    assert forbidden[0] == world.editor and forbidden[1] == world.township
    assert f"403 POST /emergency/incidents/{incident}/cancel" in forbidden[3]
    assert "404" in missing[3] and "其他乡镇" in missing[3]
    assert all(r[4] == "127.0.0.1" for r in rows)


def test_a_scanner_cannot_flood_the_audit_log(app, client, world):
    from publisher.security.refusals import PER_ADDRESS_PER_MINUTE

    for n in range(PER_ADDRESS_PER_MINUTE + 30):
        assert client.get(f"/emergency/households/{n + 1000}").status_code in (302, 401)
    assert len(_refusals(app)) == PER_ADDRESS_PER_MINUTE
    # Another address is still heard.
    client.get("/emergency/households/1", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert _refusals(app)[-1][4] == "10.9.9.9"


def test_devices_send_their_token_in_a_header_or_the_body(app, client, world):
    from publisher.extensions import db
    from publisher.models.emergency import TriggerLog

    by_header = client.post("/emergency/trigger", headers={
        "X-Device-Token": world.token, "Idempotency-Key": "h-1"})
    assert by_header.status_code == 201
    by_form = client.post("/emergency/trigger", data={"token": world.token},
                          headers={"Idempotency-Key": "f-1"})
    by_json = client.post("/emergency/trigger",
                          json={"token": world.token, "idempotency_key": "j-1"})
    assert (by_form.status_code, by_json.status_code) == (200, 200)
    assert by_form.json["outcome"] == by_json.json["outcome"] == "merged"
    for wrong in ({"headers": {"Idempotency-Key": "w"}},
                  {"headers": {"X-Device-Token": world.token + "x", "Idempotency-Key": "w"}},
                  {"json": {"token": ["list"], "idempotency_key": "w"}}):
        assert client.post("/emergency/trigger", **wrong).status_code == 404
    with app.app_context():
        assert db.session.query(TriggerLog).count() == 3


def test_the_development_server_log_redacts_tokens(app, world, caplog):
    """werkzeug's access log line for the old URL form keeps four characters, not the token
    (every record passes publisher.emergency.logredact)."""
    logger = logging.getLogger("werkzeug")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logger.info('127.0.0.1 - - [x] "%s" %s -', f"POST /emergency/trigger/{world.token} "
                    "HTTP/1.1", 201)
    assert world.token not in caplog.text
    assert f"/emergency/trigger/{world.token[:4]}…" in caplog.text


def test_a_new_device_is_given_an_address_without_its_token(app, client, auth, world):
    auth.login("boss")
    page = client.post(f"/emergency/households/{world.household}/devices", data={
        "csrf_token": _token(client), "label": "门口呼救器", "test_interval_hours": 24})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "X-Device-Token" in html
    address = re.search(r"<code>(http[^<]+)</code>", html).group(1)
    assert address.endswith("/emergency/trigger")
    token = re.findall(r"<code>([^<]+)</code>", html)[1]
    auth.logout()
    pressed = client.post("/emergency/trigger", headers={"X-Device-Token": token,
                                                         "Idempotency-Key": "first"})
    assert pressed.status_code == 201

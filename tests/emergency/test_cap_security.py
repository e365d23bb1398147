"""CAP sources as an attacker would use them (issue 11, item 5): the server must not fetch
into its own network, not follow redirects there, not echo what it fetched, and only
administrators may add or remove a source."""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from publisher.security.outbound import AllowList, FetchRefused, check_url, fetch, is_internal

from .conftest import T0

NOBODY = AllowList()


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.255.255.254", "10.1.2.3", "172.16.0.1", "192.168.1.1",
    "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "239.255.255.250",
    "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fd12::1",
    "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
    "2002:7f00:1::1", "64:ff9b::7f00:1", "64:ff9b::a00:1", "2001:db8::1",
])
def test_internal_addresses_are_refused(address):
    assert is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888",
                                     "::ffff:8.8.8.8", "223.5.5.5"])
def test_public_addresses_pass(address):
    assert not is_internal(ipaddress.ip_address(address))


@pytest.mark.parametrize("url", [
    "http://127.1/", "http://0x7f000001/", "http://2130706433/", "http://0177.0.0.1/",
    "http://[::ffff:127.0.0.1]/", "http://[::1]:8000/", "http://localhost/",
    "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0:8000/", "http://[::]/",
    "http://10.0.0.1/cap.xml", "https://192.168.0.1/",
])
def test_crafted_internal_urls_are_refused(url):
    with pytest.raises(FetchRefused, match="内部网络"):
        check_url(url, NOBODY)


@pytest.mark.parametrize(("url", "reason"), [
    ("file:///etc/passwd", "http"), ("ftp://8.8.8.8/cap.xml", "http"),
    ("gopher://8.8.8.8/", "http"), ("http://user:pw@8.8.8.8/", "用户名"),
    ("http:///cap.xml", "主机名"), ("http://[::1/", "格式"),
])
def test_other_schemes_and_odd_urls_are_refused(url, reason):
    with pytest.raises(FetchRefused, match=reason):
        check_url(url, NOBODY)


def test_the_allow_list_names_hosts_addresses_and_networks():
    allow = AllowList.parse("cap.internal, 127.0.0.1, 10.0.0.0/8, [::1]")
    assert allow.covers(ipaddress.ip_address("10.20.30.40"))
    assert allow.covers(ipaddress.ip_address("::1"))
    assert not allow.covers(ipaddress.ip_address("192.168.1.1"))
    assert allow.names("CAP.internal.")
    assert check_url("http://127.0.0.1:9/x", allow) == "http://127.0.0.1:9/x"
    with pytest.raises(FetchRefused):
        check_url("http://127.0.0.2:9/x", allow)


class Feed:
    """A real loopback HTTP server answering with ``routes[path] = (status, headers, body)``
    and counting what it was asked."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.hits: list[str] = []
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                feed.hits.append(self.path)
                status, headers, body = feed.routes.get(self.path, (404, {}, b"nope"))
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feeds() -> Iterator[SimpleNamespace]:
    inside, other = Feed("127.0.0.1"), Feed("127.0.0.2")
    yield SimpleNamespace(inside=inside, other=other)
    inside.close()
    other.close()


def test_a_loopback_feed_is_never_contacted_unless_allowed(feeds):
    feeds.inside.routes["/cap.xml"] = (200, {}, b"<alert/>")
    with pytest.raises(FetchRefused, match="内部网络"):
        fetch(f"{feeds.inside.url}/cap.xml", NOBODY, max_bytes=1000)
    assert feeds.inside.hits == []
    allowed = AllowList.parse("127.0.0.1")
    assert fetch(f"{feeds.inside.url}/cap.xml", allowed, max_bytes=1000) == b"<alert/>"


@pytest.mark.parametrize("target", [
    "{other}/secret", "http://[::ffff:127.0.0.2]:{port}/secret", "file:///etc/passwd",
])
def test_a_redirect_into_the_network_is_refused(feeds, target):
    """The allowed feed redirects to a loopback address nobody allowed: not followed."""
    location = target.format(other=feeds.other.url, port=feeds.other.server.server_port)
    feeds.inside.routes["/cap.xml"] = (302, {"Location": location}, b"")
    feeds.other.routes["/secret"] = (200, {}, b"internal secret")
    with pytest.raises(FetchRefused) as refused:
        fetch(f"{feeds.inside.url}/cap.xml", AllowList.parse("127.0.0.1"), max_bytes=1000)
    assert feeds.other.hits == []
    assert "secret" not in str(refused.value) and "127.0.0.2" not in str(refused.value)


def test_a_name_resolving_inside_is_refused_at_connect_time(feeds, monkeypatch):
    """The address checked is the address connected to: a public-looking name that resolves
    (or re-resolves, "DNS rebinding") to loopback is refused and never contacted."""
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        if host == "cap.weather.example":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr("publisher.security.outbound.socket.getaddrinfo", resolver)
    port = feeds.inside.server.server_port
    with pytest.raises(FetchRefused, match="内部网络"):
        fetch(f"http://cap.weather.example:{port}/cap.xml", NOBODY, max_bytes=1000)
    assert feeds.inside.hits == []


def _source(app, township, url):
    from publisher.extensions import db
    from publisher.models.emergency import CapSource

    with app.app_context():
        source = CapSource(township_id=township, interval_seconds=60, url=url)
        db.session.add(source)
        db.session.commit()
        return source.id


def _poll(app, source_id, at=T0):
    from publisher.emergency import alerts
    from publisher.extensions import db
    from publisher.models.emergency import CapSource

    with app.app_context():
        alerts.poll_sources(at)
        return db.session.get(CapSource, source_id).last_error


def test_polling_shows_neutral_errors_only(app, township, feeds):
    """What the alerts page shows never carries the body fetched, a port's state in
    English, or an address: nothing to probe the network with."""
    feeds.inside.routes["/cap.xml"] = (200, {}, b"<status>TOP-SECRET-ROUTER-PAGE</status>")
    inside = _source(app, township, f"{feeds.inside.url}/cap.xml")
    assert "内部网络" in _poll(app, inside)
    assert feeds.inside.hits == []

    app.config["OUTBOUND_ALLOW"] = "127.0.0.1"
    error = _poll(app, inside, T0 + timedelta(minutes=2))
    assert feeds.inside.hits == ["/cap.xml"]
    assert "CAP" in error and "TOP-SECRET" not in error

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    refused = _source(app, township, f"http://127.0.0.1:{port}/")
    error = _poll(app, refused, T0 + timedelta(minutes=4))
    assert error and not re.search(r"[A-Za-z]{4,}|\d{3,}", error.replace("HTTP", ""))


def _login_page(client, auth, user):
    auth.login(user)
    html = client.get("/emergency/alerts").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _sources(app):
    from publisher.extensions import db
    from publisher.models.emergency import CapSource

    with app.app_context():
        return [s.url for s in db.session.query(CapSource).order_by(CapSource.id)]


def test_an_admin_cannot_add_an_internal_source(app, client, auth, township, make_user):
    make_user("boss", role="admin", township_id=township)
    token = _login_page(client, auth, "boss")
    for url in ("http://127.0.0.1:8000/", "http://127.1/", "http://[::ffff:127.0.0.1]/",
                "http://0x7f000001/", "file:///etc/passwd"):
        response = client.post("/emergency/alerts/sources", data={
            "csrf_token": token, "url": url, "interval_seconds": 60})
        assert response.status_code == 400, url
        if url.startswith(("http://127.0.0.1", "http://[::ffff")):  # well-formed: our check
            assert "内部网络" in response.get_data(as_text=True), url
    assert _sources(app) == []


def test_only_admins_add_and_remove_sources(app, client, auth, make_user, township):
    from publisher.extensions import db
    from publisher.models import AuditEvent, Township
    from publisher.models.emergency import CapSource

    make_user("boss", role="admin", township_id=township)
    make_user("xiaoli", role="editor", township_id=township)
    make_user("leader", role="reviewer", township_id=township)
    public = "http://223.5.5.5/cap.xml"  # a literal public address: no DNS needed here
    for user in ("leader", "xiaoli"):
        token = _login_page(client, auth, user)
        denied = client.post("/emergency/alerts/sources", data={
            "csrf_token": token, "url": public, "interval_seconds": 60})
        assert denied.status_code == 403
        assert "CAP 订阅地址" not in client.get("/emergency/alerts").get_data(as_text=True)
        auth.logout()
    assert _sources(app) == []

    token = _login_page(client, auth, "boss")
    added = client.post("/emergency/alerts/sources", data={
        "csrf_token": token, "url": public, "interval_seconds": 60})
    assert added.status_code == 302 and _sources(app) == [public]
    with app.app_context():
        mine = db.session.query(CapSource).one().id
        other = Township(name="别的乡", county="乾元县")
        db.session.add(other)
        db.session.flush()
        foreign = CapSource(township_id=other.id, url=public, interval_seconds=60)
        db.session.add(foreign)
        db.session.commit()
        foreign_id = foreign.id
    assert client.post(f"/emergency/alerts/sources/{foreign_id}/delete",
                       data={"csrf_token": token}).status_code == 404
    auth.logout()

    token = _login_page(client, auth, "leader")
    assert client.post(f"/emergency/alerts/sources/{mine}/delete",
                       data={"csrf_token": token}).status_code == 403
    auth.logout()
    token = _login_page(client, auth, "boss")
    assert client.post(f"/emergency/alerts/sources/{mine}/delete",
                       data={"csrf_token": token}).status_code == 302
    assert _sources(app) == [public]  # the other township's one is still there
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(
            action="delete", target_type="cap_source", target_id=str(mine)).count() == 1

"""The Content-Security-Policy in a real browser: the admin pages, the channel page's hls.js
player and the household's phone page run without a single violation (a script or style
the policy blocks would otherwise fail silently)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import live_server, login, page  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser]

WATCH = ("document.addEventListener('securitypolicyviolation', e => (window.__csp ="
         " window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI));")


def test_pages_run_without_csp_violations(app, live_server, page, world):  # noqa: F811
    page.add_init_script(WATCH)  # run by the browser itself, not subject to the policy
    console = []
    page.on("console", lambda msg: console.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    from publisher.extensions import db
    from publisher.models import Channel

    with app.app_context():
        channel = db.session.query(Channel).one().id
    login(page, live_server, "boss")
    seen = {}
    # Pages with their own <style> block (nonce) among them: the emergency layout, the
    # channel schedule, the organisation pages.
    for path in ("/", "/emergency/", f"/emergency/households/{world.household}",
                 "/emergency/alerts", "/channel", "/content/notice/new", "/org/users",
                 f"/org/channels/{channel}/schedule", "/cadres", "/emergency/phone/"):
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("networkidle")
        seen[path] = page.evaluate("() => window.__csp || []")
    # The channel page really started its player script (hls.js attached to the video).
    page.goto(f"{live_server}/channel")
    assert page.evaluate("() => typeof window.Hls === 'function'")
    assert {path: v for path, v in seen.items() if v} == {}
    assert console == []

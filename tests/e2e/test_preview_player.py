"""The admin's live preview plays the channel in the browser (hls.js in Debian's chromium)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login
from tests.e2e.stream import running_clock, running_playout, wait_for_plan

pytestmark = [pytest.mark.browser, pytest.mark.ffmpeg, pytest.mark.slow]

PLAYED_S = 8  # seconds of live video the page must actually play
LIVE_S = 8  # how far behind the live edge the preview may run (about two segments and a bit)


def test_channel_page_plays_the_live_stream(app, live_server, page, township, make_user):
    make_user("editor", "editor", township)
    with running_clock(app):
        wait_for_plan(app)
        with running_playout(app, "jianshan"):
            login(page, live_server, "editor")
            page.goto(f"{live_server}/channel")
            # The video element advances through live media: hls.js fetched the playlist and
            # segments, the browser decoded H.264/AAC, and nothing fatal stopped it.
            page.wait_for_function(
                f"() => {{ const v = document.getElementById('player');"
                f" return v && v.currentTime > {PLAYED_S} && !v.paused && v.readyState >= 2; }}",
                timeout=60_000,
            )
            state = page.evaluate(
                "() => { const v = document.getElementById('player');"
                " return {w: v.videoWidth, h: v.videoHeight, error: v.error && v.error.code,"
                " controls: v.controls, behind: window.villagecastPlayer.behind(),"
                " status: document.getElementById('player-status').textContent}; }"
            )
            # A live picture: no clip-style seek bar, the 直播 mark, close to the live edge.
            assert not state["controls"] and page.is_visible(".live-mark")
            assert state["behind"] < LIVE_S, state
            assert page.is_hidden("#player-live")
            # Paused (or a stall) it falls behind; 回到直播 brings it back to the edge.
            page.evaluate("() => document.getElementById('player').pause()")
            # The page looks once a second: within 3 s it shows the way back (and no sooner
            # than it shows it does the test go on).
            page.wait_for_selector("#player-live", state="visible", timeout=3_000)
            assert "已暂停" in page.text_content("#player-status")
            page.click("#player-live")
            page.wait_for_function(
                f"() => {{ const v = document.getElementById('player'); return !v.paused"
                f" && v.readyState >= 2 && window.villagecastPlayer.behind() < {LIVE_S}; }}",
                timeout=20_000)
            page.wait_for_function(
                "() => document.getElementById('player-status').textContent.includes('比实时晚约')",
                timeout=10_000)
    assert (state["w"], state["h"]) == (1280, 720)
    assert state["error"] is None
    assert state["status"].startswith("直播中")

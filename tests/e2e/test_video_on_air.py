"""Done means (#17): a portrait phone clip with rotation metadata is uploaded in the admin,
transcoded in the background, played by the reviewer, approved, and seen on the live
channel upright and pillarboxed, its sound at -24 LKFS."""

from __future__ import annotations

import subprocess
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from tests.e2e.conftest import login
from tests.e2e.stream import (
    frame_at,
    playlist_segments,
    running_clock,
    running_playout,
    wait_for,
    wait_for_plan,
)
from tests.renderer import clips

pytestmark = [pytest.mark.browser, pytest.mark.ffmpeg, pytest.mark.slow]

TITLE = "张家村稻谷丰收了"
CLIP_SECONDS = 6.0
SHOTS = Path("/tmp/video_e2e")  # screenshots and frames, for a person to look at


def _span(base_url: str, slug: str, start: datetime, seconds: float, out: Path) -> Path:
    """The stream between ``start`` and ``start + seconds``, cut from the live HLS segments."""
    segments = [s for s in playlist_segments(base_url, slug)
                if s[0] < start + timedelta(seconds=seconds)
                and s[0] + timedelta(seconds=s[1]) > start]  # fmt: skip
    joined = out.with_suffix(".joined.ts")
    with joined.open("wb") as fh:
        for _, _, name in segments:
            with urllib.request.urlopen(f"{base_url}/live/{slug}/{name}", timeout=10) as resp:
                fh.write(resp.read())
    offset = (start - segments[0][0]).total_seconds()
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", f"{offset:.3f}", "-t", f"{seconds:.3f}",
                    "-i", str(joined), "-map", "0:a", "-c:a", "pcm_s16le", str(out)],
                   check=True, timeout=60)  # fmt: skip
    return out


def test_portrait_phone_clip_uploaded_reviewed_and_aired_upright(
    app, live_server, page, township, make_user, tmp_path  # noqa: ANN001
):
    from publisher.extensions import db
    from publisher.models import AsRunEntry, ContentItem, Job, JobState, utcnow
    from renderer import ffmpeg

    SHOTS.mkdir(exist_ok=True)
    source = clips.portrait_rotated(tmp_path / "VID_20261122_091500.mp4", seconds=CLIP_SECONDS)
    make_user("editor", "editor", township)
    make_user("reviewer", "reviewer", township)

    with running_clock(app):
        wait_for_plan(app)
        with running_playout(app, "jianshan"):
            # The editor uploads the phone's clip and sends it for review.
            login(page, live_server, "editor")
            page.goto(f"{live_server}/content/video/new")
            assert "最长 10 分钟" in page.inner_text("#video-limits")
            page.screenshot(path=str(SHOTS / "form-1366.png"), full_page=True)
            page.set_input_files("#video", str(source))
            page.fill("#title", TITLE)
            page.fill("#category", "农产品")
            page.click("input[name=save_submit]")
            page.wait_for_load_state("networkidle")
            assert "视频正在后台转码" in page.inner_text("body")

            with app.app_context():
                item_id = db.session.scalar(select(ContentItem.id))

            def transcoded():  # noqa: ANN202
                with app.app_context():
                    job = db.session.scalar(select(Job).where(Job.kind == "prerender"))
                    state = job.state if job else None
                    db.session.remove()
                    assert state != JobState.FAILED, "the transcode failed"
                    return state == JobState.DONE

            wait_for(transcoded, 90, "the background transcode")
            page.click("text=退出")

            # The reviewer watches the transcoded clip in the browser, then approves it.
            login(page, live_server, "reviewer")
            page.goto(f"{live_server}/review/{item_id}")
            page.wait_for_function("document.querySelector('video')"
                                   " && document.querySelector('video').readyState >= 1")
            size = page.evaluate("[document.querySelector('video').videoWidth,"
                                 " document.querySelector('video').videoHeight]")
            assert size == [1280, 720]  # the browser decoded the channel's picture
            page.screenshot(path=str(SHOTS / "review-1366.png"), full_page=True)
            approved_at = utcnow()
            page.click("input[name=approve]")
            page.wait_for_load_state("networkidle")

            with app.app_context():
                ref = db.session.get(ContentItem, item_id).ref

            def aired():  # noqa: ANN202
                with app.app_context():
                    entry = db.session.scalar(select(AsRunEntry).where(AsRunEntry.item_ref == ref))
                    db.session.remove()
                    return entry

            entry = wait_for(aired, 60, "the clip in the as-run log")
            assert (entry.aired_at - approved_at).total_seconds() <= 30
            assert entry.duration_ms == 6400  # 6 s -> 10 units of 0.64 s, aired whole
            assert entry.category == "video" and entry.title == TITLE
            frame = frame_at(live_server, "jianshan", entry.aired_at + timedelta(seconds=2),
                             SHOTS / "channel-frame.png")  # fmt: skip
            sound = _span(live_server, "jianshan", entry.aired_at + timedelta(seconds=0.2),
                          6.4 - 0.4, SHOTS / "clip-on-air.wav")  # fmt: skip

    picture = Image.open(frame).convert("RGB")
    assert picture.size == (1280, 720)
    top, bottom = picture.getpixel((640, 120)), picture.getpixel((640, 600))
    assert top[0] > 180 and top[1] < 80 and top[2] < 80, top  # red on top: upright
    assert bottom[2] > 180 and bottom[0] < 80, bottom  # blue below
    for x in (10, 200, 420, 860, 1080, 1270):  # pillars: black outside the 405-px picture
        assert max(picture.getpixel((x, 360))) < 40, (x, picture.getpixel((x, 360)))
    loudness = ffmpeg.measure_loudness(sound)
    assert loudness.integrated == pytest.approx(-24, abs=2), loudness

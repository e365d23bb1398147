"""Done means (#17, part 2): a village announcement recorded on a phone airs over its slide.

Chromium's fake microphone plays espeak-ng reading an announcement; the editor records it
with the form's recorder on a 390-px phone screen, listens back and submits; the reviewer
listens and approves; the channel airs it. Measured in the live HLS output: the recording
is heard over the notice's page at -24 ±2 LKFS, speech-band energy far above the bed's,
the music bed ducked under it, and a decoded frame shows the notice's slide.
"""

from __future__ import annotations

import re
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from renderer import ffmpeg
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, login
from tests.e2e.stream import (
    difference,
    frame_at,
    playlist_segments,
    running_clock,
    running_playout,
    wait_for,
    wait_for_plan,
)
from tests.renderer.recordings import speech_wav

pytestmark = [pytest.mark.browser, pytest.mark.ffmpeg, pytest.mark.slow]

TITLE = "关于召开村民大会的通知"
RATE = 48_000
SHOTS = Path("/tmp")
RECORD_S = 6.0  # how long the editor speaks (the fake microphone loops the file)
SPOKEN = "各位村民请注意，明天上午九点在村委会召开村民大会，请准时参加。"


@pytest.fixture
def phone(browser, tmp_path: Path):  # noqa: ANN001, ANN201
    """A phone-sized page in a chromium whose microphone plays a spoken announcement."""
    wav = speech_wav(tmp_path / "mic.wav", SPOKEN, pad_s=0.3)
    fake_mic = [*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream", f"--use-file-for-fake-audio-capture={wav}"]
    with_mic = browser.browser_type.launch(executable_path=CHROMIUM, args=fake_mic,
                                           headless=True)
    context = with_mic.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                   is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        yield context.new_page()
    finally:
        context.close()
        with_mic.close()


def _aired_audio(base_url: str, start: datetime, end: datetime, out: Path) -> np.ndarray:
    """Stereo 48 kHz PCM (n, 2) of the live output from ``start`` to ``end`` (HLS segments)."""
    segments = [s for s in playlist_segments(base_url, "jianshan")
                if s[0] < end and s[0] + timedelta(seconds=s[1]) > start]
    assert segments and segments[0][0] <= start, "the live window no longer covers the span"
    ts = out.with_suffix(".ts")
    with ts.open("wb") as f:
        for _, _, name in segments:
            with urllib.request.urlopen(f"{base_url}/live/jianshan/{name}", timeout=10) as r:
                f.write(r.read())
    raw = ffmpeg.run(ffmpeg.pcm_decode_cmd(ts, channels=2), timeout=60).stdout
    stereo = np.frombuffer(raw, dtype=np.float32).reshape(-1, 2)
    first = (start - segments[0][0]).total_seconds()
    return stereo[round(first * RATE) : round((first + (end - start).total_seconds()) * RATE)]


def _band_db(pcm: np.ndarray, lo: float, hi: float) -> float:
    spectrum = np.abs(np.fft.rfft(pcm * np.hanning(pcm.size))) ** 2
    freqs = np.fft.rfftfreq(pcm.size, 1 / RATE)
    return 10 * np.log10(spectrum[(freqs >= lo) & (freqs < hi)].sum() / pcm.size + 1e-20)


def _short_term_db(pcm: np.ndarray, window_s: float = 0.05) -> np.ndarray:
    n = round(window_s * RATE)
    frames = pcm[: pcm.size // n * n].astype(np.float64).reshape(-1, n)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)


def test_a_recorded_announcement_airs_over_its_slide(app, live_server, browser, phone,
                                                     township, make_user, tmp_path) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import AsRunEntry, ContentItem, Job

    make_user("editor", "editor", township)
    make_user("reviewer", "reviewer", township)
    page = phone

    with running_clock(app):
        wait_for_plan(app)
        with running_playout(app, "jianshan"):
            # The editor writes the notice and records it on the phone.
            login(page, live_server, "editor")
            page.goto(f"{live_server}/content/notice/new")
            page.fill("#title", TITLE)
            page.fill("#body", "明天上午九点在村委会召开村民大会，请每户派一名代表参加。")
            page.locator("#recording-box").scroll_into_view_if_needed()
            assert page.locator("[data-action=stop]").is_hidden()
            page.click("[data-action=record]")
            page.wait_for_selector("[data-action=stop]:visible")
            page.locator("#recording-box").screenshot(
                path=str(SHOTS / "a-recorder-phone-recording.png"))
            page.wait_for_timeout(RECORD_S * 1000)
            page.click("[data-action=stop]")
            page.wait_for_selector("[data-playback]:visible")
            page.wait_for_function("document.querySelector('#recording').files.length === 1")
            assert "已录好" in page.text_content("[data-status]")
            assert page.locator("[data-action=again]").is_visible()
            page.locator("#recording-box").screenshot(path=str(SHOTS / "a-recorder-phone.png"))
            page.screenshot(path=str(SHOTS / "a-recorder-phone-full.png"), full_page=True)
            recorded_s = float(page.get_attribute("#recording-box", "data-recorded"))
            assert recorded_s >= RECORD_S - 0.5
            with page.expect_navigation(url=re.compile(r"/content/notice/\d+$"), timeout=60_000):
                page.click("input[name=save_submit]")
            assert "已提交审核" in page.text_content("main")

            with app.app_context():
                item = db.session.scalar(select(ContentItem))
                item_id, ref = item.id, item.ref
                recording = Path(item.latest.data["recording"])
                assert recording.suffix == ".webm" and recording.is_file()

            def prerendered():  # noqa: ANN202
                with app.app_context():
                    job = db.session.scalar(select(Job).where(Job.kind == "prerender"))
                    state = job.state if job else None
                    db.session.remove()
                    return state == "done"

            wait_for(prerendered, 90, "the pre-render of the recorded notice")

            # The reviewer listens to it (the player's file is the reviewer's copy) and
            # approves it.
            reviewer_ctx = browser.new_context(viewport={"width": 1366, "height": 900},
                                               locale="zh-CN")
            rpage = reviewer_ctx.new_page()
            try:
                login(rpage, live_server, "reviewer")
                rpage.goto(f"{live_server}/review/{item_id}")
                player = rpage.locator("dd.recording-player audio")
                assert player.count() == 1
                src = player.get_attribute("src")
                duration = rpage.evaluate(
                    """async (src) => {
                        const a = new Audio(src);
                        await new Promise((ok, bad) => {
                            a.onloadedmetadata = ok;
                            a.onerror = bad;
                        });
                        return a.duration;
                    }""", src)
                assert duration == pytest.approx(recorded_s, abs=2.0)
                rpage.screenshot(path=str(SHOTS / "a-review-desktop.png"), full_page=True)
                rpage.click("input[name=approve]")
                rpage.wait_for_url(re.compile(r"/review$"))
            finally:
                reviewer_ctx.close()

            def aired():  # noqa: ANN202
                with app.app_context():
                    entry = db.session.scalar(
                        select(AsRunEntry).where(AsRunEntry.item_ref == ref,
                                                 AsRunEntry.page_no == 1))
                    db.session.remove()
                    return entry

            entry = wait_for(aired, 90, "the notice in the as-run log")
            with app.app_context():
                version = db.session.get(ContentItem, item_id).live_version
                first = version.pages["jianshan"][0]
                png, track = Path(first["png"]), Path(first["audio"])
            assert track.is_file()
            heard = ffmpeg.probe(track)
            track_s = float(heard["format"]["duration"])
            start = entry.aired_at
            end = start + timedelta(seconds=0.64 + track_s)
            frame = frame_at(live_server, "jianshan", start + timedelta(seconds=2),
                             tmp_path / "frame.png")
            frame.replace(SHOTS / "a-channel-frame.png")
            wait_for(lambda: datetime.now(start.tzinfo) > end + timedelta(seconds=4), 60,
                     "the announcement to finish")
            before = _aired_audio(live_server, start - timedelta(seconds=7),
                                  start - timedelta(seconds=1), tmp_path / "before")
            during = _aired_audio(live_server, start + timedelta(seconds=0.64), end,
                                  tmp_path / "during")

    # A decoded frame of the channel shows the notice's slide.
    assert difference(SHOTS / "a-channel-frame.png", png) < 8
    # The recording is heard over it, at the channel's loudness.
    loud = ffmpeg.measure_loudness(pcm=np.ascontiguousarray(during).tobytes())
    assert -26.0 <= loud.integrated <= -22.0, loud
    assert track_s >= RECORD_S - 2.0  # the whole recording, not a clipped piece
    during, before = during.mean(axis=1), before.mean(axis=1)
    speech_band = _band_db(during, 1000, 4000)
    bed_band = _band_db(before, 1000, 4000)
    assert speech_band > bed_band + 10, (speech_band, bed_band)
    # The bed is ducked under it: in the pauses between words what is left is the drone,
    # well under the bed that played before the notice.
    pauses = np.percentile(_short_term_db(during), 10)
    bed = np.median(_short_term_db(before))
    assert pauses < bed - 8, (pauses, bed)
    print(f"announcement {loud.integrated} LUFS, speech band {speech_band - bed_band:.1f} dB "
          f"over the bed's, pauses {bed - pauses:.1f} dB under the bed")

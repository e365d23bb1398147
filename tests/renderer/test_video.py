"""Transcoding uploads into clips: real ffmpeg on clips made from its test sources, the
output checked by ffprobe, decoded pixels and ebur128 loudness."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from renderer import ffmpeg
from renderer.bitstream import pictures
from renderer.encode import PROFILES, TARGET_LUFS, ensure_slate_unit
from renderer.media_probe import MediaRejected
from renderer.timing import UNIT_AAC_FRAMES, UNIT_FRAMES
from renderer.video import (
    Clip,
    ClipRequest,
    load_clip,
    plan_cut,
    progress_of,
    transcode_clip,
)
from tests.renderer import clips

HD = PROFILES["720p"]
SD = PROFILES["sd"]  # MPEG-2, 720x576 with 64:45 pixels


# --- pure ------------------------------------------------------------------------------


def test_cut_rounds_up_to_whole_units_with_one_priming_frame() -> None:
    cut = plan_cut(10.0, 1.0, 4.0)
    assert (cut.start_s, cut.span_s) == (1.0, 3.0)
    assert cut.frames == 5 * UNIT_FRAMES  # 3 s -> 4.69 units -> 5
    assert cut.samples == (5 * UNIT_AAC_FRAMES + 1) * 1024


def test_cut_past_the_end_stops_at_the_end() -> None:
    cut = plan_cut(5.0, 2.0, 60.0)
    assert cut.span_s == 3.0


def test_cut_shorter_than_a_unit_is_refused_in_chinese() -> None:
    with pytest.raises(MediaRejected, match="太短"):
        plan_cut(5.0, 4.8, 5.0)


def test_transcode_command_fits_boxes_and_keeps_the_unit_gop() -> None:
    cut = plan_cut(4.0, 0.0, None)
    cmd = ffmpeg.clip_transcode_cmd(Path("in.mp4"), cut, Path("v.m2v"), Path("a.adts"), SD,
                                    gain_db=-3.5, progress=Path("p.txt"))  # fmt: skip
    graph = cmd[cmd.index("-filter_complex") + 1]
    assert "fps=25" in graph and "setsar=64/45" in graph and "pad=720:576" in graph
    assert "volume=-3.50dB" in graph
    assert cmd[cmd.index("-frames:v") + 1] == str(cut.frames)
    assert cmd[cmd.index("-g") + 1] == "16" and cmd[cmd.index("-flags") + 1] == "+cgop"
    assert cmd[cmd.index("-progress") + 1] == "p.txt"


def test_silent_clip_gets_generated_silence() -> None:
    cut = plan_cut(4.0, 0.0, None)
    cmd = ffmpeg.clip_transcode_cmd(Path("in.mp4"), cut, Path("v.h264"), Path("a.adts"), HD,
                                    gain_db=None)  # fmt: skip
    assert "anullsrc=r=48000:cl=stereo" in cmd
    assert "[1:a]atrim" in cmd[cmd.index("-filter_complex") + 1]


def test_progress_reads_the_last_frame_count(tmp_path: Path) -> None:
    assert progress_of(tmp_path) is None
    (tmp_path / "job.json").write_text('{"frames": 80}')
    (tmp_path / "progress.txt").write_text("frame=10\nprogress=continue\nframe=40\n")
    assert progress_of(tmp_path) == 0.5


# --- real transcodes -------------------------------------------------------------------


def _decode(clip: Clip, enc, tmp: Path) -> Path:  # noqa: ANN001
    """The clip's units and sound joined into one MPEG-TS, as playout would air them."""
    es = tmp / f"all.{enc.ext}"
    es.write_bytes(b"".join(clip.unit(n, enc).read_bytes() for n in range(clip.units)))
    out = tmp / "clip.ts"
    fmt = "h264" if enc.codec == "h264" else "mpegvideo"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-fflags", "+genpts", "-r", "25",
                    "-f", fmt, "-i", str(es), "-i", str(clip.audio), "-c", "copy", str(out)],
                   check=True, timeout=60)  # fmt: skip
    return out


def _frame(ts: Path, at_s: float, out: Path) -> Image.Image:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(ts), "-vf",
                    f"select=gte(t\\,{at_s})", "-frames:v", "1", str(out)],
                   check=True, timeout=60)  # fmt: skip
    return Image.open(out).convert("RGB")


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("src")
    return {"portrait": clips.portrait_rotated(d / "portrait.mp4", seconds=4.0),
            "vfr": clips.vfr(d / "vfr.mp4"), "amr": clips.amr_3gp(d / "voice.3gp"),
            "webm": clips.webm(d / "clip.webm")}  # fmt: skip


@pytest.mark.ffmpeg
def test_portrait_phone_clip_airs_upright_pillarboxed_at_channel_loudness(
    sources: dict[str, Path], cache: Path, tmp_path: Path
) -> None:
    request = ClipRequest(sources["portrait"], "portrait", in_s=0.5, out_s=3.7)
    clip = transcode_clip(request, cache, HD)
    assert clip.units == 5  # 3.2 s
    header = pictures(ensure_slate_unit(cache, HD).read_bytes(), "h264")[0]
    sps = header[header.find(b"\x00\x00\x01\x67") :].split(b"\x00\x00\x01\x68")[0]
    for n in range(clip.units):  # each an ordinary unit: 16 pictures, opening IDR + headers
        pics = pictures(clip.unit(n, HD).read_bytes(), "h264")
        assert len(pics) == UNIT_FRAMES
        assert b"\x00\x00\x01\x65" in pics[0] and sps in pics[0]
        assert not any(b"\x00\x00\x01\x65" in p for p in pics[1:])
    ts = _decode(clip, HD, tmp_path)
    video, audio = (s for s in ffmpeg.probe(ts)["streams"])
    assert (video["width"], video["height"], video["sample_aspect_ratio"]) == (1280, 720, "1:1")
    assert video["r_frame_rate"] == "25/1"
    assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == ("aac", "48000", 2)
    frame = _frame(ts, 1.0, tmp_path / "f.png")
    top, bottom = frame.getpixel((640, 100)), frame.getpixel((640, 620))
    assert top[0] > 200 and top[2] < 60, top  # red on top: upright
    assert bottom[2] > 200 and bottom[0] < 60, bottom
    for x in (20, 400, 880, 1260):  # black bars left and right of a 405-px picture
        assert max(frame.getpixel((x, 360))) < 30
    loud = ffmpeg.measure_loudness(clip.audio)
    assert loud.integrated == pytest.approx(TARGET_LUFS, abs=1.0)
    assert len(ffmpeg.frame_hashes(ts)) == 5 * UNIT_FRAMES
    assert load_clip(clip.folder) == clip  # cached: found again without ffmpeg


@pytest.mark.ffmpeg
def test_variable_frame_rate_becomes_constant_25(sources: dict[str, Path], cache: Path,
                                                tmp_path: Path) -> None:  # fmt: skip
    clip = transcode_clip(ClipRequest(sources["vfr"], "vfr"), cache, HD)
    ts = _decode(clip, HD, tmp_path)
    packets = ffmpeg.probe(ts, packets=True)["packets"]
    video_pts = sorted(p["pts"] for p in packets if p["stream_index"] == 0)
    assert len(video_pts) == clip.units * UNIT_FRAMES
    assert {b - a for a, b in zip(video_pts, video_pts[1:], strict=False)} == {3600}  # every 1/25 s


@pytest.mark.ffmpeg
def test_amr_3gp_with_lower_third_on_sd_mpeg2(sources: dict[str, Path], cache: Path,
                                             tmp_path: Path) -> None:  # fmt: skip
    request = ClipRequest(sources["amr"], "amr", caption="稻谷丰收", caption_style="lower_third")
    clip = transcode_clip(request, cache, SD)
    ts = _decode(clip, SD, tmp_path)
    video, audio = (s for s in ffmpeg.probe(ts)["streams"])
    assert (video["codec_name"], video["width"], video["height"]) == ("mpeg2video", 720, 576)
    assert video["sample_aspect_ratio"] == "64:45"
    assert (audio["sample_rate"], audio["channels"]) == ("48000", 2)
    assert ffmpeg.measure_loudness(clip.audio).integrated == pytest.approx(TARGET_LUFS, abs=1.0)
    frame = _frame(ts, 1.0, tmp_path / "f.png")
    band = frame.getpixel((60, 460))  # the caption's dark blue band, above the glyphs
    assert band[2] > band[0] + 15, band


@pytest.mark.ffmpeg
def test_webm_vp8_opus_is_taken(sources: dict[str, Path], cache: Path) -> None:
    clip = transcode_clip(ClipRequest(sources["webm"], "webm"), cache, HD)
    assert clip.units == 4  # 2.0 s -> 3.125 -> 4 units
    assert len(pictures(clip.unit(3, HD).read_bytes(), "h264")) == UNIT_FRAMES


# --- the declaration every door checks ----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({}, "video", "“视频文件”不能为空"),
        ({"video": "/u/a.mp4", "trim_in": "abc"}, "trim_in", "请填写秒数"),
        ({"video": "/u/a.mp4", "trim_in": "10", "trim_out": "10.5"}, "trim_out", "至少 1 秒"),
        ({"video": "/u/a.mp4", "trim_out": "5000"}, "trim_out", "应在 0 到 3600 秒之间"),
    ],
)
def test_video_fields_are_checked_in_chinese(data: dict, field: str, says: str) -> None:
    from renderer.item_parser import parse_item
    from renderer.items import ItemError

    with pytest.raises(ItemError, match=says) as caught:
        parse_item({"type": "video", "title": "稻谷丰收", **data})
    assert caught.value.field == field


def test_trim_points_read_minutes_and_seconds() -> None:
    from renderer.item_parser import parse_item

    data = {"trim_in": "0:05", "trim_out": "1：02.5", "caption_style": "顶部标题条"}
    item = parse_item({"type": "video", "title": "稻谷丰收", "video": "/u/a.mp4", **data})
    assert (item.trim_in, item.trim_out, item.caption_style) == (5.0, 62.5, "顶部标题条")


@pytest.mark.ffmpeg
def test_a_transcode_over_its_time_limit_is_stopped_and_leaves_nothing(
    sources: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from renderer import video

    monkeypatch.setattr(video, "TIMEOUT_BASE_S", 0.0)
    monkeypatch.setattr(video, "TIMEOUT_PER_SECOND", 0.001)  # ffmpeg killed after ~5 ms
    request = ClipRequest(sources["portrait"], "slow")
    with pytest.raises(ffmpeg.FFmpegError, match="timed out"):
        transcode_clip(request, tmp_path, HD)
    assert not video.clip_folder(tmp_path, HD, request.key(HD)).exists()


def test_the_items_caption_words_choose_the_drawing() -> None:
    from renderer.video import request_for_item

    item = {"title": "稻谷丰收", "video": "/u/a.mp4", "caption_style": "下方字幕条"}
    request = request_for_item(item)
    assert (request.caption_style, request.caption) == ("lower_third", "稻谷丰收")
    assert request_for_item({**item, "caption_style": ""}).caption_style == ""

"""The upload probe on real files made by ffmpeg: what phones export is taken, bad files are
refused with a Chinese message that says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from renderer import media_probe
from renderer.media_probe import MediaRejected, probe_upload
from tests.renderer import clips

pytestmark = pytest.mark.ffmpeg

VIDEO_LIMITS = {"max_seconds": media_probe.VIDEO_MAX_SECONDS,
                "max_bytes": media_probe.VIDEO_MAX_BYTES}  # fmt: skip


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("clips")
    portrait = clips.portrait_rotated(d / "portrait.mp4")
    return {
        "portrait": portrait,
        "vfr": clips.vfr(d / "vfr.mp4"),
        "amr": clips.amr_3gp(d / "voice.3gp"),
        "webm": clips.webm(d / "clip.webm"),
        "audio_only": clips.audio_only(d / "song.mp4"),
        "text": clips.text_as_mp4(d / "notice.mp4"),
        "truncated": clips.truncated(portrait, d / "cut.mp4"),
        "huge": clips.huge_dimensions(d / "huge.mp4"),
        "fps_bomb": clips.frame_rate_bomb(d / "fast.mp4"),
    }


def test_portrait_phone_clip_reports_rotation_and_upright_size(made: dict[str, Path]) -> None:
    info = probe_upload(made["portrait"], want="video", **VIDEO_LIMITS)
    assert (info.width, info.height) == (640, 360)
    assert info.rotation in (90, 270)
    assert info.display_size == (360, 640)
    assert info.duration_s == pytest.approx(4.0, abs=0.1)
    assert (info.fps, info.frames) == (30.0, 120)
    assert (info.audio_codec, info.sample_rate, info.channels) == ("aac", 44100, 2)


def test_variable_frame_rate_is_noticed(made: dict[str, Path]) -> None:
    info = probe_upload(made["vfr"], want="video", **VIDEO_LIMITS)
    assert info.variable_fps
    assert info.fps < 30


def test_amr_audio_in_3gp_is_taken(made: dict[str, Path]) -> None:
    info = probe_upload(made["amr"], want="video", **VIDEO_LIMITS)
    assert (info.audio_codec, info.sample_rate, info.channels) == ("amr_nb", 8000, 1)


def test_webm_is_taken(made: dict[str, Path]) -> None:
    info = probe_upload(made["webm"], want="video", **VIDEO_LIMITS)
    assert (info.container, info.video_codec, info.audio_codec) == ("matroska,webm", "vp8", "opus")


def test_audio_only_file_is_an_announcement_not_a_video(made: dict[str, Path]) -> None:
    with pytest.raises(MediaRejected, match="没有画面"):
        probe_upload(made["audio_only"], want="video", **VIDEO_LIMITS)
    info = probe_upload(made["audio_only"], want="audio", max_seconds=300, max_bytes=30 << 20)
    assert not info.has_video and info.has_audio


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("text", "不是可播放的视频"),
        ("truncated", "不完整或已损坏"),
        ("huge", "8192×8192"),
        ("fps_bomb", "帧率或帧数异常"),
    ],
)
def test_bad_files_are_refused_with_the_reason(made: dict[str, Path], name: str, says: str) -> None:
    with pytest.raises(MediaRejected, match=says):
        probe_upload(made[name], want="video", **VIDEO_LIMITS)


def test_too_long_states_the_limit(made: dict[str, Path]) -> None:
    with pytest.raises(MediaRejected, match="上限为 3 秒"):
        probe_upload(made["portrait"], want="video", max_seconds=3, max_bytes=1 << 30)


def test_too_big_states_the_limit_before_reading(made: dict[str, Path]) -> None:
    with pytest.raises(MediaRejected, match="上限为 100 KB"):
        probe_upload(made["portrait"], want="video", max_seconds=600, max_bytes=100 * 1024)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.touch()
    with pytest.raises(MediaRejected, match="空的"):
        probe_upload(empty, want="video", **VIDEO_LIMITS)


def test_limits_are_stated_for_the_forms() -> None:
    assert media_probe.limits_text("video") == "MP4、MOV、3GP、WebM，不超过 200 MB、10 分钟"
    assert media_probe.limits_text("audio").endswith("不超过 30 MB、5 分钟")

"""The one door to ffmpeg: exact command lines, and one error type when things fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from renderer import ffmpeg
from renderer.encode import PROFILES

QUIET = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error"]
# The interlaced profiles' vertical low-pass: [1 2 1]/4 down each column of every plane.
LOWPASS = ":".join(f"{p}m=0 1 0 0 2 0 0 1 0:{p}rdiv=0.25" for p in range(3))


def test_a_whole_h264_unit_holds_the_page_for_16_frames() -> None:
    cmd = ffmpeg.units_cmd([Path("p.png")], Path("u.h264"), PROFILES["1080p"])
    assert cmd == [
        *QUIET, "-framerate", "25", "-i", "p.png",
        "-filter_complex",
        "[0:v]scale=1920:1080:flags=lanczos:out_color_matrix=bt709:out_range=tv[s0];"
        "[s0]setsar=1/1[s1];[s1]format=yuv420p[s2];[s2]tpad=stop=15:stop_mode=clone[s3];"
        "[s3]setpts=N/(25*TB)[s4]",
        "-map", "[s4]", "-f", "h264", "-bf", "0", "-bsf:v", "filter_units=remove_types=6",
        "-bufsize", "3840k", "-c:v", "libx264", "-color_primaries", "bt709",
        "-color_range", "tv", "-color_trc", "bt709", "-colorspace", "bt709", "-crf", "14",
        "-frames:v", "16", "-g", "16", "-keyint_min", "16", "-level:v", "4.0",
        "-maxrate", "6000k", "-preset", "medium", "-profile:v", "high", "-r", "25",
        "-sc_threshold", "0", "-tune", "stillimage",
        "-x264-params", "aud=1:repeat-headers=1:open-gop=0", "u.h264", "-y",
    ]  # fmt: skip


def test_a_mpeg2_batch_is_one_key_frame_per_page_scaled_to_pal_with_bt601_and_softened() -> None:
    cmd = ffmpeg.units_cmd([Path("a.png"), Path("b.png")], Path("u.m2v"), PROFILES["sd43"], 1)
    assert cmd == [
        *QUIET, "-framerate", "25", "-i", "a.png", "-framerate", "25", "-i", "b.png",
        "-filter_complex",
        "[0:v]scale=720:576:flags=lanczos:out_color_matrix=bt601:out_range=tv[s0];"
        "[s0]setsar=16/15[s1];[s1]format=yuv420p[s2];"
        f"[s2]convolution={LOWPASS}[s3];"
        "[1:v]scale=720:576:flags=lanczos:out_color_matrix=bt601:out_range=tv[s4];"
        "[s4]setsar=16/15[s5];[s5]format=yuv420p[s6];"
        f"[s6]convolution={LOWPASS}[s7];[s3][s7]concat=a=0:n=2:v=1[s8];"
        "[s8]setpts=N/(25*TB)[s9]",
        "-map", "[s9]", "-f", "mpeg2video", "-bf", "0", "-bufsize", "1835k",
        "-c:v", "mpeg2video", "-color_primaries", "bt470bg", "-color_range", "tv",
        "-color_trc", "smpte170m", "-colorspace", "bt470bg", "-flags", "+cgop",
        "-force_key_frames", "expr:1", "-frames:v", "2", "-g", "16", "-intra_vlc", "1",
        "-maxrate", "6000k", "-q:v", "3", "-r", "25", "-sc_threshold", "1000000000",
        "-seq_disp_ext", "1", "u.m2v", "-y",
    ]  # fmt: skip


def test_frame_hashes_command() -> None:
    assert ffmpeg.frame_hashes_cmd(Path("u.h264")) == [
        *QUIET, "-i", "u.h264", "-map", "0:v", "-f", "framemd5", "-",
    ]  # fmt: skip


def test_silence_command() -> None:
    assert ffmpeg.silence_cmd(Path("s.adts"), 1.0, 128) == [
        *QUIET, "-f", "lavfi", "-t", "1.0", "-i", "anullsrc=r=48000:cl=stereo", "-map", "0:a",
        "-f", "adts", "-ac", "2", "-ar", "48000", "-b:a", "128k", "-c:a", "aac", "s.adts", "-y",
    ]  # fmt: skip


def test_probe_command() -> None:
    assert ffmpeg.probe_cmd("x.ts") == [
        "ffprobe", "-hide_banner", "-loglevel", "error", "-of", "json", "-show_streams",
        "-show_format", "x.ts",
    ]  # fmt: skip
    assert ffmpeg.probe_cmd("x.ts", packets=True)[-3:] == [
        "packet=stream_index,pts,dts,duration,flags,size", "-show_packets", "x.ts",
    ]  # fmt: skip


def test_music_bed_command_is_a_linear_second_pass_over_three_periods() -> None:
    measured = {"input_i": "-12.3", "input_tp": "-1.0", "input_lra": "3.1",
                "input_thresh": "-22.5", "target_offset": "0.2"}  # fmt: skip
    cmd = ffmpeg.music_bed_cmd(Path("m.wav"), Path("b.adts"), 92160, measured, -24, 128)
    graph = cmd[cmd.index("-filter_complex") + 1]
    assert "atrim=end_sample=92160" in graph and "aloop=loop=2:size=92160" in graph
    assert "loudnorm=I=-24:LRA=11:TP=-2:linear=true:measured_I=-12.3" in graph
    assert cmd[-6:] == ["-b:a", "128k", "-c:a", "aac", "b.adts", "-y"]


@pytest.mark.ffmpeg
def test_run_raises_one_error_with_stderr_tail(tmp_path: Path) -> None:
    with pytest.raises(ffmpeg.FFmpegError) as caught:
        ffmpeg.run([*QUIET, "-i", str(tmp_path / "missing.png"), "-f", "null", "-"])
    assert caught.value.returncode != 0
    assert "missing.png" in caught.value.stderr and "No such file" in caught.value.stderr


def test_missing_binary_is_the_same_error() -> None:
    with pytest.raises(ffmpeg.FFmpegError) as caught:
        ffmpeg.run(["/nonexistent/ffmpeg", "-version"])
    assert caught.value.returncode is None


@pytest.mark.ffmpeg
def test_probe_reads_a_real_file(tmp_path: Path) -> None:
    out = tmp_path / "s.adts"
    ffmpeg.run(ffmpeg.silence_cmd(out, 0.5, 128))
    info = ffmpeg.probe(out)
    (stream,) = info["streams"]
    assert (stream["codec_name"], stream["sample_rate"], stream["channels"]) == ("aac", "48000", 2)


def test_only_encodings_for_interlaced_sets_are_softened_vertically() -> None:
    from renderer.encode import DEFAULT_FOR_RENDER_PROFILE
    from renderer.profiles import PROFILES as RENDER_PROFILES

    for render_name, enc_name in DEFAULT_FOR_RENDER_PROFILE.items():
        interlaced = RENDER_PROFILES[render_name].interlaced
        assert PROFILES[enc_name].vertical_lowpass == interlaced, render_name
        graph = " ".join(ffmpeg.units_cmd([Path("p.png")], Path("u"), PROFILES[enc_name]))
        assert ("convolution=" in graph) == interlaced
    assert {p.name for p in PROFILES.values() if p.vertical_lowpass} == {"sd-h264", "sd", "sd43"}

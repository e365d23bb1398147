"""Pages become 16-frame units once; the audio bed is silence or a -24 LKFS loop."""

from __future__ import annotations

import array
import json
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from renderer import encode, ffmpeg
from renderer.bitstream import adts_frames, count_pictures
from renderer.timing import UNIT_AAC_FRAMES, UNIT_FRAMES

pytestmark = pytest.mark.ffmpeg


def page(path: Path, size: tuple[int, int], colour: tuple[int, int, int], text: str) -> Path:
    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    for row in range(8):
        draw.text((40, 40 + 60 * row), f"{text} line {row}", fill=(255, 255, 0))
    draw.rectangle((size[0] // 2, size[1] // 2, size[0] - 40, size[1] - 40), fill=(200, 30, 30))
    img.save(path)
    return path


def frames(unit: Path) -> list[dict]:
    out = ffmpeg.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-of",
            "json",
            "-show_frames",
            "-show_entries",
            "frame=pict_type,key_frame",
            str(unit),
        ]  # fmt: skip
    )
    return json.loads(out.stdout)["frames"]


def nal_types(data: bytes) -> list[int]:
    return [data[m.end()] & 0x1F for m in re.finditer(b"\x00\x00\x01", data)]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


def test_h264_unit_is_one_closed_gop_of_16_frames(tmp_path: Path, cache: Path) -> None:
    png = page(tmp_path / "a.png", (1920, 1080), (20, 60, 120), "一号页面")
    unit = encode.ensure_unit(png, "ab" * 16, cache, encode.PROFILES["1080p"])
    assert unit == cache / "units" / encode.PROFILES["1080p"].tag / "ab" / f"{'ab' * 16}.h264"
    (stream,) = ffmpeg.probe(unit)["streams"]
    assert {k: stream[k] for k in ("codec_name", "width", "height", "pix_fmt", "r_frame_rate",
                                   "sample_aspect_ratio", "has_b_frames")} == {
        "codec_name": "h264", "width": 1920, "height": 1080, "pix_fmt": "yuv420p",
        "r_frame_rate": "25/1", "sample_aspect_ratio": "1:1", "has_b_frames": 0,
    }  # fmt: skip
    colour = ("color_range", "color_space", "color_primaries", "color_transfer")
    assert [stream[k] for k in colour] == ["tv", "bt709", "bt709", "bt709"]
    assert [(f["pict_type"], f["key_frame"]) for f in frames(unit)] == [("I", 1)] + [("P", 0)] * 15
    data = unit.read_bytes()
    types = nal_types(data)
    assert types[:4] == [9, 7, 8, 5]  # AUD, SPS, PPS, IDR
    assert types.count(9) == UNIT_FRAMES and 6 not in types  # no SEI, one AUD per frame
    assert len(set(ffmpeg.frame_hashes(unit))) == 1  # P pictures copy the page exactly


def test_a_batch_encodes_each_page_into_its_own_unit(tmp_path: Path, cache: Path) -> None:
    enc = encode.PROFILES["720p"]
    colours = [(200, 0, 0), (0, 200, 0), (0, 0, 200)]
    pages = [(page(tmp_path / f"{i}.png", (1280, 720), c, f"第{i}页"), f"batch{i}")
             for i, c in enumerate(colours)]  # fmt: skip
    units = encode.ensure_units(pages, cache, enc)
    hashes = [ffmpeg.frame_hashes(u) for u in units]
    assert all(len(h) == UNIT_FRAMES and len(set(h)) == 1 for h in hashes)
    assert len({h[0] for h in hashes}) == 3  # three different pictures, none mixed up
    for unit, colour in zip(units, colours, strict=True):  # each unit shows its own page
        mean = ffmpeg.run(
            ["ffmpeg", "-v", "error", "-i", str(unit), "-frames:v", "1", "-vf",
             "scale=1:1:flags=area", "-pix_fmt", "rgb24", "-f", "rawvideo", "-"]
        ).stdout  # fmt: skip
        distance = {c: sum((a - b) ** 2 for a, b in zip(c, mean, strict=True)) for c in colours}
        nearest = min(distance, key=distance.__getitem__)
        assert nearest == colour


def test_cache_hit_runs_no_ffmpeg(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    enc = encode.PROFILES["720p"]
    png = page(tmp_path / "b.png", (1280, 720), (90, 20, 20), "cached")
    first = encode.ensure_unit(png, "cd" * 16, cache, enc)
    mtime = first.stat().st_mtime_ns
    monkeypatch.setattr("renderer.ffmpeg.commands.FFMPEG", "/nonexistent/ffmpeg")
    assert encode.ensure_unit(png, "cd" * 16, cache, enc) == first
    assert first.stat().st_mtime_ns == mtime
    with pytest.raises(ffmpeg.FFmpegError):
        encode.ensure_unit(png, "ce" * 16, cache, enc)  # a miss really needs ffmpeg
    assert not list(first.parent.glob(".*.tmp"))  # the failed encode left no temp file


def test_every_page_shares_one_sequence_header(tmp_path: Path, cache: Path) -> None:
    """Set-top boxes fail on format changes: two very different pages, identical SPS."""
    enc = encode.PROFILES["720p"]
    busy = page(tmp_path / "c.png", (1280, 720), (250, 250, 250), "密密麻麻" * 6)
    flat = tmp_path / "d.png"
    Image.new("RGB", (1280, 720), (0, 0, 0)).save(flat)
    sps = []
    for key, png in (("e1" * 16, busy), ("e2" * 16, flat)):
        data = encode.ensure_unit(png, key, cache, enc).read_bytes()
        start = data.index(b"\x00\x00\x01\x67")
        sps.append(data[start : data.index(b"\x00\x00\x01\x68")])
    assert sps[0] == sps[1]


@pytest.mark.parametrize(
    ("name", "sar", "dar"), [("sd", "64:45", "16:9"), ("sd43", "16:15", "4:3")]
)
def test_mpeg2_sd_unit(tmp_path: Path, cache: Path, name: str, sar: str, dar: str) -> None:
    size = (1024, 576) if dar == "16:9" else (768, 576)
    png = page(tmp_path / "s.png", size, (30, 90, 30), "标清")
    unit = encode.ensure_unit(png, f"{name}-page", cache, encode.PROFILES[name])
    assert unit.suffix == ".m2v"
    (stream,) = ffmpeg.probe(unit)["streams"]
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("mpeg2video", 720, 576)
    assert (stream["sample_aspect_ratio"], stream["display_aspect_ratio"]) == (sar, dar)
    assert (stream["color_space"], stream["color_primaries"], stream["color_range"]) == (
        "bt470bg", "bt470bg", "tv",
    )  # fmt: skip
    assert [f["pict_type"] for f in frames(unit)] == ["I"] + ["P"] * 15
    assert len(set(ffmpeg.frame_hashes(unit))) == 1
    data = unit.read_bytes()
    gop = data.index(b"\x00\x00\x01\xb8")
    assert data[gop + 7] & 0x40  # closed_gop flag
    assert data.count(b"\x00\x00\x01\x00") == UNIT_FRAMES and b"\x00\x00\x01\xb7" not in data


def decode_pcm(data: bytes, tmp: Path) -> array.array:
    src = tmp / "in.aac"
    src.write_bytes(data)
    pcm = ffmpeg.run(["ffmpeg", "-v", "error", "-i", str(src), "-f", "s16le", "-"]).stdout
    return array.array("h", pcm)


def test_silence_is_one_steady_frame_that_decodes_to_zeros(tmp_path: Path, cache: Path) -> None:
    bed = encode.ensure_silence(cache)
    (frame,) = adts_frames(bed.read_bytes())
    samples = decode_pcm(frame * UNIT_AAC_FRAMES, tmp_path)
    assert len(samples) == UNIT_AAC_FRAMES * 1024 * 2 and max(map(abs, samples)) == 0
    assert encode.ensure_silence(cache) == bed


def test_music_bed_is_whole_units_at_minus_24_lkfs(tmp_path: Path, cache: Path) -> None:
    music = tmp_path / "music.wav"
    ffmpeg.run([
        "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=f=330:r=44100:d=3,volume=0.5",
        "-ac", "2", str(music),
    ])  # fmt: skip
    bed = encode.ensure_music_bed(music, cache)
    looped = adts_frames(bed.read_bytes())
    assert len(looped) == 4 * UNIT_AAC_FRAMES  # 3 s of music holds four 0.64 s units
    src = tmp_path / "loop.aac"
    src.write_bytes(bed.read_bytes() * 5)
    report = ffmpeg.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(src), "-af", "ebur128", "-f", "null", "-"]
    ).stderr
    integrated = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", report)[-1])
    assert abs(integrated - encode.TARGET_LUFS) < 1.0


def test_slate_unit_is_cached(cache: Path) -> None:
    enc = encode.PROFILES["sd-h264"]
    slate = encode.ensure_slate_unit(cache, enc)
    assert count_pictures(slate.read_bytes(), "h264") == UNIT_FRAMES
    assert encode.ensure_slate_unit(cache, enc) == slate


def test_plan_profiles_map_to_encoding_profiles() -> None:
    assert encode.encoding_for_plan("576i-16x9").name == "sd-h264"
    assert encode.encoding_for_plan("576i-4x3").codec == "mpeg2"
    assert encode.encoding_for_plan("sd").sar == (64, 45)
    with pytest.raises(ValueError, match="no encoding profile"):
        encode.encoding_for_plan("4k")


@pytest.mark.parametrize("damage", [b"", b"\x00\x00\x00\x01\x09\x10"])
def test_a_unit_cut_short_counts_as_not_cached_and_is_encoded_again(
    tmp_path: Path, cache: Path, damage: bytes
) -> None:
    """After a power cut a unit may be empty or truncated on disk: it is encoded again."""
    enc = encode.PROFILES["720p"]
    png = page(tmp_path / "c.png", (1280, 720), (20, 90, 20), "断电")
    unit = encode.ensure_unit(png, "cf" * 16, cache, enc)
    whole = unit.read_bytes()
    unit.write_bytes(damage or whole[: len(whole) // 3])
    assert not encode.unit_is_whole(unit, enc)
    unit.write_bytes(damage)
    assert encode.ensure_unit(png, "cf" * 16, cache, enc) == unit
    assert encode.unit_is_whole(unit, enc)
    assert unit.read_bytes() == whole  # the same page encodes to the same unit


def test_a_damaged_slate_silence_and_template_are_made_again(cache: Path) -> None:
    enc = encode.PROFILES["sd-h264"]
    slate = encode.ensure_slate_unit(cache, enc)
    silence = encode.ensure_silence(cache)
    template = cache / "units" / enc.tag / f"template.{enc.ext}"
    for path in (slate, silence, template):
        path.write_bytes(b"")
    assert encode.ensure_slate_unit(cache, enc) == slate
    assert encode.unit_is_whole(slate, enc) and encode.unit_is_whole(template, enc)
    assert len(adts_frames(encode.ensure_silence(cache).read_bytes())) == 1
    assert not [p for p in cache.rglob("*") if ".tmp" in p.name]


def _decoded_rows(unit: Path, width: int, height: int) -> list[float]:
    """Mean luma of each row of the first decoded picture."""
    raw = ffmpeg.run(
        ["ffmpeg", "-v", "error", "-i", str(unit), "-frames:v", "1", "-pix_fmt", "gray",
         "-f", "rawvideo", "-"]
    ).stdout  # fmt: skip
    return [sum(raw[y * width : (y + 1) * width]) / width for y in range(height)]


@pytest.mark.parametrize(("name", "size", "spread"), [("sd43", (768, 576), True),
                                                      ("720p", (1280, 720), False)])  # fmt: skip
def test_a_one_line_stroke_lies_in_both_fields_only_on_interlaced_output(
    tmp_path: Path, name: str, size: tuple[int, int], spread: bool
) -> None:
    # A 1-px white line across a black page: on an interlaced set it would sit in one
    # field only and flicker at 25 Hz.
    enc = encode.PROFILES[name]
    img = Image.new("RGB", size, (0, 0, 0))
    ImageDraw.Draw(img).line((0, 301, size[0], 301), fill=(255, 255, 255), width=1)
    img.save(tmp_path / "p.png")
    unit = tmp_path / f"u.{enc.ext}"
    ffmpeg.run(ffmpeg.units_cmd([tmp_path / "p.png"], unit, enc, 1))
    rows = _decoded_rows(unit, enc.width, enc.height)
    line = max(range(len(rows)), key=rows.__getitem__)
    field_a = rows[line] + (rows[line - 2] + rows[line + 2]) / 2
    field_b = rows[line - 1] + rows[line + 1]
    if spread:  # [1 2 1]/4: half the light in each field
        assert field_b == pytest.approx(field_a, rel=0.25)
    else:
        assert field_b < 0.2 * field_a

"""Photo uploads: only real images are kept, normalised, without metadata, atomically."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from tests.publisher.test_people_support import image_bytes


def upload(data: bytes, name: str = "photo.jpg") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


@pytest.fixture
def ctx(app):  # noqa: ANN001, ANN201
    with app.test_request_context():
        yield


def _png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR claiming a huge size, with a tiny IDAT: a bomb."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0"))
            + chunk(b"IEND", b""))


def test_jpeg_is_resized_reencoded_and_stripped_of_exif(ctx, tmp_path: Path):
    from publisher.services.photos import MAX_SIDE, save_photo

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (39.0, 54.0, 0.0)}  # GPS info
    data = image_bytes("JPEG", (4000, 3000), exif=exif.tobytes())
    saved = save_photo(upload(data), tmp_path / "cadres")
    assert saved.parent == tmp_path / "cadres" and saved.suffix == ".jpg"
    with Image.open(saved) as img:
        assert img.format == "JPEG"
        assert max(img.size) == MAX_SIDE and img.size == (1600, 1200)
        assert not img.getexif()  # no camera, no GPS
    assert not list((tmp_path / "cadres").glob(".*.tmp"))  # the temp name was renamed away


def test_exif_orientation_is_applied(ctx, tmp_path: Path):
    from publisher.services.photos import save_photo

    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display": a portrait photo stored landscape
    saved = save_photo(upload(image_bytes("JPEG", (400, 200), exif=exif.tobytes())), tmp_path)
    with Image.open(saved) as img:
        assert img.size == (200, 400)


def test_png_with_transparency_becomes_jpeg_on_white(ctx, tmp_path: Path):
    from publisher.services.photos import save_photo

    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 0, 0, 0)).save(out, "PNG")
    saved = save_photo(upload(out.getvalue(), "x.png"), tmp_path)
    with Image.open(saved) as img:
        assert img.mode == "RGB"
        assert img.getpixel((25, 25))[0] > 240  # transparent became white, not black


def test_logo_keeps_transparency_as_png(ctx, tmp_path: Path):
    from publisher.services.photos import LOGO_MAX_SIDE, save_logo

    saved = save_logo(upload(image_bytes("PNG", (2000, 1000)), "logo.png"), tmp_path)
    with Image.open(saved) as img:
        assert img.format == "PNG" and img.mode == "RGBA"
        assert img.size == (LOGO_MAX_SIDE, LOGO_MAX_SIDE // 2)


def _truncated_png() -> bytes:
    data = image_bytes("PNG", (300, 300), colour=(1, 2, 3))
    return data[: len(data) // 2]


def _truncated_jpeg() -> bytes:
    data = image_bytes("JPEG", (600, 600))
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"just some text, not a picture\n" * 10, "renamed.jpg", "不是有效的图片"),
        (_truncated_png(), "cut.png", "不是有效的图片"),
        (_truncated_jpeg(), "cut.jpg", "不是有效的图片"),
        (b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj", "doc.jpg", "不是有效的图片"),
        (b"", "empty.jpg", "空的"),
        (_png_header_only(20000, 20000), "bomb.png", "像素太多"),
    ],
    ids=["text-renamed-jpg", "truncated-png", "truncated-jpeg", "pdf", "empty", "pixel-bomb"],
)
def test_bad_uploads_are_refused_with_a_clear_message(ctx, tmp_path, data, name, message):
    from publisher.services.errors import ServiceError
    from publisher.services.photos import save_photo

    target = tmp_path / "uploads"
    with pytest.raises(ServiceError, match=message):
        save_photo(upload(data, name), target)
    assert not target.exists() or not any(target.iterdir())  # nothing written, not even a temp


def test_oversized_file_is_refused_before_decoding(ctx, tmp_path, monkeypatch):
    from publisher.services import photos
    from publisher.services.errors import ServiceError

    monkeypatch.setattr(photos, "MAX_BYTES", 1000)
    with pytest.raises(ServiceError, match="太大"):
        photos.save_photo(upload(image_bytes("JPEG", (800, 800))), tmp_path)


def test_missing_upload_is_refused(ctx, tmp_path):
    from publisher.services.errors import ServiceError
    from publisher.services.photos import save_photo

    with pytest.raises(ServiceError, match="请选择"):
        save_photo(None, tmp_path)
    with pytest.raises(ServiceError, match="请选择"):
        save_photo(FileStorage(stream=io.BytesIO(b""), filename=""), tmp_path)


def test_webp_and_gif_are_accepted(ctx, tmp_path):
    from publisher.services.photos import save_photo

    for fmt in ("WEBP", "GIF"):
        out = io.BytesIO()
        Image.new("RGB", (120, 80), (0, 128, 0)).save(out, fmt)
        saved = save_photo(upload(out.getvalue(), f"x.{fmt.lower()}"), tmp_path)
        with Image.open(saved) as img:
            assert img.format == "JPEG" and img.size == (120, 80)

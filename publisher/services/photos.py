"""Uploaded photos and logos: checked with Pillow, normalised, re-encoded, stored atomically.

A file is trusted only once Pillow has decoded it: the name and the browser's declared
type mean nothing. Every accepted image is re-encoded, which drops EXIF (GPS position,
camera serial) and anything smuggled after the picture data.
"""

from __future__ import annotations

import re
import secrets
import warnings
from io import BytesIO
from pathlib import Path
from typing import IO, Protocol

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from publisher.config import UPLOAD_MAX_BYTES
from publisher.services.errors import ServiceError
from renderer.atomic import write_atomic

# A phone photo is 3–8 MB; anything larger is not a picture a TV page needs.
MAX_BYTES = UPLOAD_MAX_BYTES
# 40 megapixels is above any phone camera. Checked from the header, before decoding, so a
# small file that expands to gigabytes of pixels (a decompression bomb) is never decoded.
MAX_PIXELS = 40_000_000
# A TV page shows a photo at most about half of a 1080-line picture; 1600 px leaves margin.
MAX_SIDE = 1600
LOGO_MAX_SIDE = 512  # the channel logo sits in a corner of the picture
JPEG_QUALITY = 85
# Formats a person's camera, phone or office software produces. MPO is a phone JPEG variant.
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP"})


class FileLike(Protocol):
    """What a Werkzeug ``FileStorage`` offers that we use (tests may pass their own)."""

    filename: str | None
    stream: IO[bytes]


def _read_limited(upload: FileLike | None, limit: int) -> bytes:
    if upload is None or not getattr(upload, "filename", ""):
        raise ServiceError(_("请选择要上传的图片文件。"))
    data = upload.stream.read(limit + 1)
    if not data:
        raise ServiceError(_("上传的文件是空的。"))
    if len(data) > limit:
        raise ServiceError(
            _("图片文件太大（最大 %(mb)d MB），请压缩后再上传。", mb=limit // (1024 * 1024))
        )
    return data


def open_verified(data: bytes) -> Image.Image:
    """Decode ``data`` fully as an image or raise ServiceError (Chinese message)."""
    not_image = _("该文件不是有效的图片（支持 JPG、PNG、WebP、GIF、BMP），请重新选择。")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb guard warns below its hard limit; treat that as refusal too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise ServiceError(not_image)
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise ServiceError(
                        _("图片像素太多（%(w)d×%(h)d），请缩小后再上传。", w=width, h=height)
                    )
                probe.verify()  # checks structure (PNG chunk CRCs) without decoding
            image = Image.open(BytesIO(data))
            image.load()  # decodes every pixel: catches truncated JPEGs that verify() misses
    except ServiceError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ServiceError(_("图片像素太多，请缩小后再上传。")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise ServiceError(not_image) from None
    return image


def _normalise(image: Image.Image, max_side: int, keep_alpha: bool) -> Image.Image:
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)  # animated GIF/WebP: the first frame only
    image = ImageOps.exif_transpose(image)  # phones store portrait photos rotated + a flag
    if keep_alpha:
        image = image.convert("RGBA")
    elif image.mode != "RGB":
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return image


STORED_PHOTO = re.compile(r"^[0-9a-f]{32}\.jpg$")  # the names _write_atomically gives photos


def kept_photo(upload_dir: Path, name: str | None) -> Path | None:
    """A photo stored earlier in ``upload_dir`` under ``name`` (by a form that came back with
    an error), or None: only names this module gives, only in that folder."""
    if not name or not STORED_PHOTO.match(name):
        return None
    path = upload_dir / name
    return path if path.is_file() else None


def _write_atomically(payload: bytes, upload_dir: Path, suffix: str) -> Path:
    # Readers see the whole file or none of it, also after a power cut.
    return write_atomic(upload_dir / f"{secrets.token_hex(16)}{suffix}", payload)


def _process(upload: FileLike | None, upload_dir: Path, *, max_side: int, logo: bool) -> Path:
    image = open_verified(_read_limited(upload, MAX_BYTES))
    try:
        image = _normalise(image, max_side, keep_alpha=logo)
        out = BytesIO()
        if logo:
            image.save(out, "PNG", optimize=True)
        else:
            # No exif/icc arguments: the re-encoded file carries no metadata.
            image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    except (OSError, ValueError) as exc:
        raise ServiceError(_("无法处理该图片，请换一张再试。")) from exc
    return _write_atomically(out.getvalue(), upload_dir, ".png" if logo else ".jpg")


def save_photo(file_storage: FileLike | None, upload_dir: Path) -> Path:
    """Check, orient, shrink (≤ 1600 px) and re-encode a photo as JPEG into ``upload_dir``.

    Returns the path of the new file. Raises ServiceError with a message for the user when
    the upload is missing, too big, not an image, truncated or has too many pixels.
    """
    return _process(file_storage, upload_dir, max_side=MAX_SIDE, logo=False)


def save_logo(file_storage: FileLike | None, upload_dir: Path) -> Path:
    """Like :func:`save_photo` but keeps transparency: a PNG of at most 512 px."""
    return _process(file_storage, upload_dir, max_side=LOGO_MAX_SIDE, logo=True)

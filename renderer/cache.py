"""Content-addressed page store: ``cache_dir/pages/<key[:2]>/<key>.png``.

A page's key is the SHA-256 of everything that decides its pixels, so a stored file
never needs invalidating: different inputs simply give a different key. Files are
written through :func:`renderer.atomic.write_atomic` (temporary name, fsync, rename), so a
reader never sees half a file, even with two renderers racing on the same page or after a
power cut; a page that is not a whole PNG all the same (:func:`page_is_whole`) is drawn again.

An item-level *manifest* (``cache_dir/items/<key[:2]>/<key>.json``) remembers which
pages an unchanged item produced, so re-rendering it skips even the layout.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from pathlib import Path
from typing import Any

from PIL import Image

from renderer.atomic import write_atomic

# zlib level 1: pages are flat colour and text; higher levels cost time for little gain.
PNG_ZLIB_LEVEL = 1


def page_key(*parts: str) -> str:
    """SHA-256 (hex) of the parts, unambiguously joined."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def page_path(cache_dir: Path, key: str) -> Path:
    """Where the PNG for ``key`` lives."""
    return Path(cache_dir) / "pages" / key[:2] / f"{key}.png"


def manifest_path(cache_dir: Path, key: str) -> Path:
    """Where the page list of an item render with ``key`` lives."""
    return Path(cache_dir) / "items" / key[:2] / f"{key}.json"


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = _chunk(b"IEND", b"")


def encode_png(image: Image.Image) -> bytes:
    """A PNG of an RGB image: every row with filter type 0, one zlib stream.

    Pillow's encoder picks a filter per row adaptively, which at 1080p costs more than the
    compression itself; for flat broadcast graphics the plain rows compress as well, and
    encoding is about a third faster. Output is byte-for-byte deterministic.
    """
    if image.mode != "RGB":
        image = image.convert("RGB")
    width, height = image.size
    raw = image.tobytes()
    stride = width * 3
    rows = b"".join(b"\x00" + raw[i : i + stride] for i in range(0, len(raw), stride))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, PNG_ZLIB_LEVEL))
        + PNG_END
    )


def page_is_whole(path: Path) -> bool:
    """Whether the stored page opens with the PNG signature and ends with its IEND chunk.

    Cheap (two short reads), and enough to catch a file cut short by a power cut or a full
    disk; such a page counts as not stored and is drawn again.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(PNG_SIGNATURE))
            if fh.seek(0, 2) < len(PNG_SIGNATURE) + len(PNG_END):
                return False
            fh.seek(-len(PNG_END), 2)
            return head == PNG_SIGNATURE and fh.read() == PNG_END
    except OSError:
        return False


def store_png(image: Image.Image, path: Path) -> None:
    """Encode ``image`` as PNG at ``path`` atomically."""
    write_atomic(path, encode_png(image))


def load_manifest(path: Path) -> list[dict[str, Any]] | None:
    """The stored page list, or ``None`` if missing or unreadable (then re-plan)."""
    try:
        pages = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return pages if isinstance(pages, list) else None


def store_manifest(path: Path, pages: list[dict[str, Any]]) -> None:
    """Remember an item's pages (keys, numbers, characters to read)."""
    write_atomic(path, json.dumps(pages, separators=(",", ":")).encode("utf-8"))

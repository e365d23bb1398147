"""A tiny display list for free-form pages (produce card, channel ident).

Planning produces a tuple of ops with absolute positions; drawing just executes them.
The ops are plain data, so they hash into the page's cache key and the drawing step
makes no layout decisions of its own.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageOps

from renderer.draw import Canvas
from renderer.page import Ctx
from renderer.profiles import Rect
from renderer.theme import BLACK, RGB, WHITE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextOp:
    x: float
    top: int
    text: str
    size: int
    line_height: int
    role: str = "text"  # palette attribute for the colour
    bg: str = "background"  # palette attribute of what it sits on
    bold: bool = False
    align: str = "left"


@dataclass(frozen=True)
class RectOp:
    box: Rect
    role: str
    radius: int = 0


@dataclass(frozen=True)
class DiscOp:
    cx: float
    cy: float
    radius: float
    role: str


@dataclass(frozen=True)
class PhotoOp:
    box: Rect
    path: str
    digest: str  # file contents: a new photo at the same path is a new page


@dataclass(frozen=True)
class QrOp:
    box: Rect  # square
    payload: str


@dataclass(frozen=True)
class LogoOp:
    box: Rect  # the logo is fitted inside, centred


Op = TextOp | RectOp | DiscOp | PhotoOp | QrOp | LogoOp


def file_digest(path: str) -> str:
    """Short content hash of a file, or "" when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


def qr_image(payload: str, side: int) -> Image.Image:
    """A QR code of ``payload``, dark modules on a light square with a quiet zone."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(payload)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix) + 4  # two modules of quiet zone on each side
    small = Image.new("L", (n, n), WHITE[0])
    small.putdata(
        [
            BLACK[0]
            if (0 <= y - 2 < n - 4 and 0 <= x - 2 < n - 4 and matrix[y - 2][x - 2])
            else WHITE[0]
            for y in range(n)
            for x in range(n)
        ]
    )
    module = max(1, side // n)
    big = small.resize((n * module, n * module), Image.Resampling.NEAREST)
    canvas = Image.new("L", (side, side), WHITE[0])
    offset = (side - big.width) // 2
    canvas.paste(big, (offset, offset))
    return canvas.convert("RGB")


@lru_cache(maxsize=16)
def _photo(path: str, digest: str, width: int, height: int) -> Image.Image:
    with Image.open(path) as src:
        picture = ImageOps.exif_transpose(src).convert("RGB")
    return ImageOps.fit(picture, (width, height), Image.Resampling.LANCZOS)


def _logo_fitted(path: Path, box: Rect) -> Image.Image:
    with Image.open(path) as src:
        logo = src.convert("RGBA")
    scale = min(box.width / logo.width, box.height / logo.height)
    size = (max(1, round(logo.width * scale)), max(1, round(logo.height * scale)))
    return logo.resize(size, Image.Resampling.LANCZOS)


def colour(ctx: Ctx, role: str) -> RGB:
    """A palette colour by attribute name."""
    return getattr(ctx.palette, role)


def run_ops(canvas: Canvas, ctx: Ctx, ops: tuple[Op, ...]) -> None:
    """Execute a display list."""
    for op in ops:
        if isinstance(op, TextOp):
            canvas.text(
                op.x,
                op.top,
                op.text,
                op.size,
                fill=colour(ctx, op.role),
                bg=colour(ctx, op.bg),
                bold=op.bold,
                line_height=op.line_height,
                align=op.align,
            )
        elif isinstance(op, RectOp):
            canvas.rect(op.box, colour(ctx, op.role), op.radius)
        elif isinstance(op, DiscOp):
            canvas.disc(op.cx, op.cy, op.radius, colour(ctx, op.role))
        elif isinstance(op, PhotoOp):
            canvas.paste(
                _photo(op.path, op.digest, op.box.width, op.box.height), op.box.left, op.box.top
            )
        elif isinstance(op, QrOp):
            canvas.paste(qr_image(op.payload, op.box.width), op.box.left, op.box.top, "qr")
        elif isinstance(op, LogoOp) and ctx.branding.logo is not None:
            logo = _logo_fitted(Path(ctx.branding.logo), op.box)
            left = op.box.left + (op.box.width - logo.width) // 2
            top = op.box.top + (op.box.height - logo.height) // 2
            canvas.paste(logo, left, top, kind="logo")

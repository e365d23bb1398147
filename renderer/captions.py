"""A caption burned into a clip (renderer.video): a title strip or a lower third, drawn as a
transparent PNG in the channel's fonts, which the transcode lays over the picture."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from renderer.encode import EncodingProfile

Caption = Literal["", "strip", "lower_third"]
CAPTION_TEXT_FRACTION = 0.06  # of picture height: above the channel's 4.5 % minimum
CAPTION_BAND = (16, 32, 64, 200)  # dark blue, see-through enough to keep the picture
CAPTION_TEXT = (255, 255, 255)


def draw_caption(text: str, style: Caption, enc: EncodingProfile, out: Path) -> Path:
    """The caption as a transparent PNG the shape of the picture (square pixels; the
    transcode scales it onto the coded frame): a full-width title strip at the top of the
    title-safe area, or a lower third, white text on a dark band, in the channel's fonts."""
    from PIL import Image

    from renderer.draw import Canvas
    from renderer.fonts import default_fonts
    from renderer.profiles import Rect

    width = round(enc.width * enc.sar[0] / enc.sar[1])
    height = enc.height
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    canvas = Canvas(image, default_fonts())
    size = round(height * CAPTION_TEXT_FRACTION)
    margin_x, margin_y = round(width * 0.05), round(height * 0.05)  # inside title-safe
    band = round(size * 1.6)
    text = _fit(canvas, text, size, width - 2 * margin_x - size)
    if style == "strip":
        box = Rect(margin_x, margin_y, width - margin_x, margin_y + band)
    else:
        text_w = round(canvas.measure(text, size, bold=True))
        bottom = height - margin_y - round(height * 0.06)
        box = Rect(margin_x, bottom - band, margin_x + text_w + size, bottom)
    canvas.rect(box, CAPTION_BAND)
    canvas.text(box.left + size / 2, box.top, text, size, fill=CAPTION_TEXT,
                bg=CAPTION_BAND[:3], bold=True, line_height=band)  # fmt: skip
    image.save(out, format="PNG")
    return out


def _fit(canvas: Any, text: str, size: int, room: float) -> str:
    """The caption cut with an ellipsis to fit one line (a caption is a line, not a page)."""
    measure = canvas.measure
    if measure(text, size, bold=True) <= room:
        return text
    while text and measure(text + "…", size, bold=True) > room:
        text = text[:-1]
    return text + "…"

"""Drawing primitives shared by the templates.

:class:`Canvas` draws text through the font fallback chain, shapes and images, and
records a :class:`Mark` for every piece of text, logo and picture it puts down (its
box, size, colours). The tests read the marks to check the title-safe area, the
legibility floor and the contrast of every template in every profile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from renderer.fonts import FontChain, FontSet
from renderer.layout import Line, gap_above
from renderer.profiles import Rect
from renderer.spacing import place, squeezes
from renderer.theme import RGB

# Noto Sans CJK: ascender 0.88 em. The em box is centred in the line box and the
# baseline placed 0.88 em below its top, so every face in the chain sits on one line.
ASCENT = 0.88


@dataclass(frozen=True)
class Mark:
    """Something visible the tests check: text (with colours) or a picture."""

    kind: str  # "text", "logo", "image", "qr"
    box: Rect
    text: str = ""
    size: int = 0
    fg: RGB | None = None
    bg: RGB | None = None


class Canvas:
    """An image plus the fonts, drawing helpers and the list of marks made on it."""

    def __init__(self, image: Image.Image, fonts: FontSet, marks: list[Mark] | None = None):
        self.image = image
        self.fonts = fonts
        self.draw = ImageDraw.Draw(image)
        self.marks: list[Mark] = marks if marks is not None else []

    def measure(self, text: str, size: int, bold: bool = False) -> float:
        """Width of ``text`` as it would be drawn."""
        return self.fonts.chain(bold).measure(text, size)

    def text(
        self,
        x: float,
        top: float,
        text: str,
        size: int,
        *,
        fill: RGB,
        bg: RGB,
        bold: bool = False,
        line_height: int | None = None,
        align: str = "left",
        justify: float | None = None,
    ) -> float:
        """Draw one line in a line box starting at ``top``; ``x`` is the left, centre or
        right edge depending on ``align``. Adjacent fullwidth marks are compressed; with
        ``justify`` (a width) the line is spread to that width where it can be (see
        :func:`renderer.spacing.place`). Returns the drawn width."""
        chain = self.fonts.chain(bold)
        lh = line_height if line_height is not None else chain.line_height(size)
        placed = place(text, chain, size, justify) if justify or squeezes(text) else None
        width = placed.width if placed is not None else chain.measure(text, size)
        if align == "right":
            x -= width
        elif align == "center":
            x -= width / 2
        em_top = top + (lh - size) / 2
        baseline = round(em_top + ASCENT * size)
        if placed is None:
            pen = x
            for run in chain.runs(text):
                font = chain.font(run.face, size)
                self.draw.text((round(pen), baseline), run.text, font=font, fill=fill, anchor="ls")
                pen += chain.measure(run.text, size)
        else:
            self._placed(chain, text, placed.xs, x, baseline, size, fill)
        if text.strip():
            box = Rect(int(x), int(em_top), int(x + width + 0.999), int(em_top + size + 0.999))
            self.marks.append(Mark("text", box, text, size, fill, bg))
        return width

    def _placed(
        self,
        chain: FontChain,
        text: str,
        xs: Sequence[float],
        x: float,
        baseline: int,
        size: int,
        fill: RGB,
    ) -> None:
        """Draw characters at their placed x, in as few calls as the spacing allows:
        a stretch of characters that sit at their natural advances is one call."""
        start = 0
        for i in range(1, len(text) + 1):
            natural = i < len(text) and xs[i] - xs[i - 1] == chain.char_width(text[i - 1], size)
            if natural:
                continue
            pen = x + xs[start]
            for run in chain.runs(text[start:i]):
                font = chain.font(run.face, size)
                self.draw.text((round(pen), baseline), run.text, font=font, fill=fill, anchor="ls")
                pen += chain.measure(run.text, size)
            start = i

    def rect(self, box: Rect, fill: RGB, radius: int = 0) -> None:
        """Filled rectangle, optionally with rounded corners."""
        xy = (box.left, box.top, box.right - 1, box.bottom - 1)
        if radius:
            self.draw.rounded_rectangle(xy, radius=radius, fill=fill)
        else:
            self.draw.rectangle(xy, fill=fill)

    def disc(self, cx: float, cy: float, radius: float, fill: RGB) -> None:
        """Filled circle."""
        self.draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=fill)

    def paste(self, picture: Image.Image, left: int, top: int, kind: str = "image") -> None:
        """Paste a picture (alpha respected) and record it."""
        mask = picture if picture.mode == "RGBA" else None
        self.image.paste(picture, (left, top), mask)
        box = Rect(left, top, left + picture.width, top + picture.height)
        self.marks.append(Mark(kind, box))

    def pill(
        self,
        x: float,
        top: int,
        text: str,
        size: int,
        *,
        fill: RGB,
        text_fill: RGB,
        height: int,
        bold: bool = True,
        align: str = "left",
    ) -> int:
        """A rounded label (category tags, statuses); returns its width."""
        pad = round(size * 0.45)
        width = round(self.measure(text, size, bold)) + 2 * pad
        left = round(x - width) if align == "right" else round(x)
        self.rect(Rect(left, top, left + width, top + height), fill, radius=height // 4)
        self.text(
            left + pad, top, text, size, fill=text_fill, bg=fill, bold=bold, line_height=height
        )
        return width

    def lines(
        self,
        lines: Sequence[Line],
        left: int,
        top: int,
        width: int,
        size: int,
        line_height: int,
        *,
        fill: RGB,
        bg: RGB,
        heading_fill: RGB,
        marker_fill: RGB,
        marker_text: RGB,
        gap: int,
    ) -> int:
        """Draw laid-out lines (markers, headings, right-aligned signatures); returns
        the y below the last line. Running text is justified (两端对齐): every line but
        a paragraph's last spans the full ``width``."""
        y = top
        for i, line in enumerate(lines):
            if gap_above(lines, i):
                y += gap
            if line.marker:
                self._marker(line.marker, left, y, size, line_height, marker_fill, marker_text)
            if line.style == "sign":
                self.text(
                    left + width,
                    y,
                    line.text,
                    size,
                    fill=fill,
                    bg=bg,
                    line_height=line_height,
                    align="right",
                )
            else:
                heading = line.style == "heading"
                self.text(
                    left + line.indent,
                    y,
                    line.text,
                    size,
                    fill=heading_fill if heading else fill,
                    bg=bg,
                    bold=heading,
                    line_height=line_height,
                    justify=None if heading or line.last else width - line.indent,
                )
            y += line_height
        return y

    def _marker(
        self, marker: str, left: int, top: int, size: int, lh: int, fill: RGB, text: RGB
    ) -> None:
        cy = top + lh / 2
        if marker.isdigit():
            r = size * 0.62
            self.disc(left + r, cy, r, fill)
            self.text(
                left + r,
                top,
                marker,
                size,
                fill=text,
                bg=fill,
                bold=True,
                line_height=lh,
                align="center",
            )
        else:
            r = size * 0.2
            self.disc(left + size * 0.35, cy, r, fill)

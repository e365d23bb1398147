"""Draw the default channel logo (assets/branding/logo.png) with Pillow.

A round emblem: a gold ring around a deep-blue disc, a white farmhouse with a gold
roof under three broadcast arcs. Drawn at 4x and scaled down for smooth edges.
Run: ``.venv/bin/python assets/branding/make_logo.py``.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 256
SCALE = 4
GOLD = (235, 183, 16, 255)
BLUE = (31, 78, 121, 255)
WHITE = (235, 235, 235, 255)


def draw_logo(size: int = SIZE) -> Image.Image:
    """The emblem as an RGBA image of ``size`` x ``size`` pixels."""
    big = size * SCALE
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)

    def s(v: float) -> int:
        return round(v * big)

    d.ellipse((0, 0, big - 1, big - 1), fill=GOLD)
    d.ellipse((s(0.06), s(0.06), s(0.94), s(0.94)), fill=BLUE)
    # Broadcast arcs above the roof.
    for i, r in enumerate((0.16, 0.25, 0.34)):
        box = (s(0.5 - r), s(0.40 - r), s(0.5 + r), s(0.40 + r))
        d.arc(box, start=225, end=315, fill=WHITE if i else GOLD, width=s(0.035))
    # Farmhouse: gold roof, white walls, blue door.
    d.polygon([(s(0.22), s(0.56)), (s(0.5), s(0.36)), (s(0.78), s(0.56))], fill=GOLD)
    d.rectangle((s(0.29), s(0.55), s(0.71), s(0.78)), fill=WHITE)
    d.rectangle((s(0.45), s(0.63), s(0.55), s(0.78)), fill=BLUE)
    return img.resize((size, size), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    out = Path(__file__).with_name("logo.png")
    draw_logo().save(out, optimize=True)
    print(out)

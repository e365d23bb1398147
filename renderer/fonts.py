"""Font discovery, measuring and the fallback chain.

Layout code sees fonts only through :class:`Metrics` (``measure`` and ``line_height``),
so it can be tested with a fake metric as well as with real fonts. :class:`FontChain`
is the real thing: an ordered list of font files (Noto Sans CJK SC first, then the
Hanazono fonts for rare characters); every character is drawn with the first font in
the chain whose character map covers it, so nothing falls silently to tofu.

Fonts come from Debian packages (see ``assets/fonts/README.md``); ``VILLAGECAST_FONT_DIRS``
(``os.pathsep``-separated) adds directories searched first.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Protocol

from PIL import ImageFont

from renderer.cmap import read_coverage
from renderer.sanitise import invisible
from renderer.spacing import PUNCT, squeeze_width

ASSET_FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"
SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/truetype/hanazono"),
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts"),
)
# Shown in place of a character no font has: a visible, conventional "missing type" mark
# (geta) instead of an anonymous box; render_item also logs a warning naming the character.
MISSING_MARK = "\u3013"  # 〓

# The "face" of a character that is removed rather than drawn: zero width, never drawn.
HIDDEN = -2

# Line height as a multiple of the font size. Generous leading helps elderly readers.
LINE_SPACING = 1.5


class FontError(RuntimeError):
    """A required font file is not installed."""


class Metrics(Protocol):
    """What the layout engine needs to know about a font."""

    def measure(self, text: str, size: int) -> float:
        """Advance width of ``text`` at ``size`` pixels."""
        ...

    def line_height(self, size: int) -> int:
        """Distance between baselines of consecutive lines at ``size`` pixels."""
        ...


@dataclass(frozen=True)
class FontFile:
    """One face: a file plus its index inside a collection (.ttc)."""

    filename: str
    index: int = 0


REGULAR = (
    FontFile("NotoSansCJK-Regular.ttc", 2),  # index 2 = Noto Sans CJK SC
    FontFile("HanaMinA.ttf"),
    FontFile("HanaMinB.ttf"),
    FontFile("DejaVuSans.ttf"),
)
BOLD = (
    FontFile("NotoSansCJK-Bold.ttc", 2),
    FontFile("HanaMinA.ttf"),
    FontFile("HanaMinB.ttf"),
    FontFile("DejaVuSans-Bold.ttf"),
)


def font_dirs() -> list[Path]:
    """Directories searched for font files, in order."""
    extra = [Path(p) for p in os.environ.get("VILLAGECAST_FONT_DIRS", "").split(os.pathsep) if p]
    return [*extra, ASSET_FONTS, *SYSTEM_FONT_DIRS]


def find_font(filename: str) -> Path:
    """Locate ``filename`` in :func:`font_dirs` (searching sub-directories of each)."""
    for base in font_dirs():
        direct = base / filename
        if direct.is_file():
            return direct
    for base in font_dirs():
        if base.is_dir():
            for hit in sorted(base.rglob(filename)):
                return hit
    raise FontError(
        f"font {filename} not found in {[str(d) for d in font_dirs()]}; "
        "install Debian packages fonts-noto-cjk and fonts-hanazono"
    )


@cache
def _coverage(path: Path, index: int) -> frozenset[int]:
    return read_coverage(path, index)


@cache
def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


@cache
def _truetype(path: Path, index: int, size: int) -> ImageFont.FreeTypeFont:
    # BASIC layout: advances add up exactly, so a line measured char by char is the
    # width Pillow draws; it is also faster and fully deterministic.
    return ImageFont.truetype(str(path), size, index=index, layout_engine=ImageFont.Layout.BASIC)


@dataclass(frozen=True)
class Run:
    """A stretch of text drawn with one face of the chain."""

    text: str
    face: int  # position in the chain


@dataclass(eq=False)  # compared and hashed by identity: one chain object per process
class FontChain:
    """Fonts tried in order for each character; measures text the way it is drawn."""

    files: tuple[FontFile, ...]
    paths: tuple[Path, ...] = field(init=False)
    _widths: dict[tuple[str, int], float] = field(default_factory=dict, init=False, repr=False)
    _faces: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        paths: list[Path] = []
        for i, f in enumerate(self.files):
            try:
                paths.append(find_font(f.filename))
            except FontError:
                if i == 0:  # the primary face is required; fallbacks are best effort
                    raise
                paths.append(Path())
        self.paths = tuple(paths)

    def face_for(self, char: str) -> int:
        """Index of the first face covering ``char``; -1 when none does, :data:`HIDDEN`
        for a character removed rather than drawn (see :mod:`renderer.sanitise`)."""
        face = self._faces.get(char)
        if face is None:
            code = ord(char)
            face = HIDDEN if invisible(char) else -1
            for i, (f, path) in enumerate(zip(self.files, self.paths, strict=True)):
                if face == HIDDEN:
                    break
                if path != Path() and code in _coverage(path, f.index):
                    face = i
                    break
            self._faces[char] = face
        return face

    def missing(self, text: str) -> set[str]:
        """Characters of ``text`` that no face covers (whitespace ignored)."""
        return {c for c in text if not c.isspace() and self.face_for(c) == -1}

    def runs(self, text: str) -> Iterator[Run]:
        """Split ``text`` into runs drawn with one face each; uncovered chars become 〓."""
        current: list[str] = []
        face_now = None
        for ch in text:
            face = self.face_for(ch)
            if face == HIDDEN:
                continue
            if face < 0:
                ch, face = MISSING_MARK, self.face_for(MISSING_MARK)
            if face != face_now and current:
                yield Run("".join(current), face_now if face_now is not None else 0)
                current = []
            face_now = face
            current.append(ch)
        if current:
            yield Run("".join(current), face_now if face_now is not None else 0)

    def font(self, face: int, size: int) -> ImageFont.FreeTypeFont:
        """The Pillow font for face ``face`` at ``size`` pixels (cached)."""
        return _truetype(self.paths[face], self.files[face].index, size)

    def char_width(self, ch: str, size: int) -> float:
        """Advance width of one character, as drawn (fallback face included)."""
        key = (ch, size)
        width = self._widths.get(key)
        if width is None:
            face = self.face_for(ch)
            if face == HIDDEN:
                width = 0.0
            else:
                if face < 0:
                    ch, face = MISSING_MARK, self.face_for(MISSING_MARK)
                width = self.font(face, size).getlength(ch)
            self._widths[key] = width
        return width

    def measure(self, text: str, size: int) -> float:
        """Advance width of ``text`` at ``size`` px, adjacent fullwidth marks compressed
        (clreq; see :mod:`renderer.spacing`) as :meth:`renderer.draw.Canvas.text` draws them."""
        widths = self._widths
        total = 0.0
        for ch in text:
            w = widths.get((ch, size))
            total += w if w is not None else self.char_width(ch, size)
        if len(text) > 1 and not PUNCT.isdisjoint(text):
            total -= squeeze_width(text, self.char_width, size)
        return total

    def line_height(self, size: int) -> int:
        """Baseline-to-baseline distance at ``size`` px."""
        return round(size * LINE_SPACING)

    def identity(self) -> str:
        """Stable fingerprint of the faces (file contents), part of every cache key."""
        parts = [
            f"{f.filename}#{f.index}:{_file_digest(p) if p != Path() else '-'}"
            for f, p in zip(self.files, self.paths, strict=True)
        ]
        return "|".join(parts)


@dataclass(eq=False)
class FontSet:
    """The regular and bold chains used by every template."""

    regular: FontChain
    bold: FontChain

    def identity(self) -> str:
        """Fingerprint of both chains."""
        return self.regular.identity() + "||" + self.bold.identity()

    def chain(self, bold: bool) -> FontChain:
        """The bold or the regular chain."""
        return self.bold if bold else self.regular


@cache
def default_fonts() -> FontSet:
    """The channel's fonts, loaded once per process."""
    return FontSet(FontChain(REGULAR), FontChain(BOLD))


def missing_glyphs(text: str) -> set[str]:
    """Characters of ``text`` that no installed font can draw.

    The publisher calls this before saving so the editor can rephrase (or the operator can
    install a font); the renderer would otherwise show 〓 in their place.
    """
    fonts = default_fonts()
    return fonts.regular.missing(text) | fonts.bold.missing(text)

"""Font chain: coverage from cmap, fallback for rare characters, no silent tofu."""

from __future__ import annotations

import logging
from datetime import date

from PIL import Image

from renderer.cmap import read_coverage
from renderer.draw import Canvas
from renderer.fonts import MISSING_MARK, missing_glyphs
from renderer.render import plan_item
from tests.renderer.conftest import make_branding

EXT_B = "\U00020000"  # 𠀀: in HanaMinB, not in Noto Sans CJK
NOWHERE = "\U0010fffd"  # a private-use code point no installed font maps


def test_cmap_reader_matches_known_coverage(fonts):
    noto = read_coverage(fonts.regular.paths[0], fonts.regular.files[0].index)
    assert ord("中") in noto and ord("，") in noto and ord("A") in noto
    assert ord(EXT_B) not in noto
    hana_b = read_coverage(fonts.regular.paths[2])
    assert ord(EXT_B) in hana_b


def test_rare_names_are_covered_by_the_chain(fonts):
    for ch in "𠮷堃犇旸":
        assert fonts.regular.face_for(ch) >= 0, ch
    assert missing_glyphs("王𠮷 李堃 张犇 赵旸") == set()


def test_ext_b_character_falls_back_to_hanazono(fonts):
    chain = fonts.regular
    assert chain.face_for("中") == 0
    face = chain.face_for(EXT_B)
    assert face > 0 and chain.files[face].filename.startswith("HanaMin")
    runs = list(chain.runs("王" + EXT_B + "明"))
    assert [r.text for r in runs] == ["王", EXT_B, "明"]
    assert runs[1].face == face


def test_missing_glyphs_reports_characters_no_font_has():
    assert missing_glyphs("正常文字 ABC 123") == set()
    assert missing_glyphs("名字" + NOWHERE + "！") == {NOWHERE}


def test_uncovered_character_is_drawn_as_the_visible_missing_mark(fonts):
    runs = list(fonts.regular.runs("甲" + NOWHERE))
    assert "".join(r.text for r in runs) == "甲" + MISSING_MARK


def test_fallback_glyph_actually_draws_ink(fonts):
    def ink(text: str) -> int:
        image = Image.new("RGB", (200, 100), (0, 0, 0))
        Canvas(image, fonts).text(10, 10, text, 60, fill=(235, 235, 235), bg=(0, 0, 0))
        return sum(1 for px in image.convert("L").tobytes() if px > 128)

    # Not tofu: the Ext. B glyph differs from the missing mark drawn for an unknown char.
    assert ink(EXT_B) > 50
    assert ink(EXT_B) != ink(NOWHERE)


def test_render_logs_characters_no_font_has(caplog):
    item = {"type": "notice", "title": "通知" + NOWHERE, "body": "正文"}
    with caplog.at_level(logging.WARNING, logger="renderer.render"):
        plan_item(item, profile="720p", branding=make_branding(), today=date(2026, 11, 22))
    assert NOWHERE in caplog.text


def test_measure_matches_drawn_width(fonts):
    chain = fonts.regular
    text = "补贴标准每亩120元，电话0991-1234567"
    font = chain.font(0, 49)
    assert abs(chain.measure(text, 49) - font.getlength(text)) < 1.0
    assert chain.line_height(48) == 72

"""The canvas draws lines exactly as the breaker measured them: compressed marks, justified
body lines (两端对齐), and no trace of characters removed rather than drawn."""

from __future__ import annotations

from PIL import Image, ImageChops

from renderer.draw import Canvas
from renderer.layout import Para, lay_out_lines

SIZE = 40
BLACK, WHITE = (0, 0, 0), (255, 255, 255)


def _canvas(fonts, width: int = 900) -> Canvas:
    return Canvas(Image.new("RGB", (width, 200), BLACK), fonts)


def _ink(image: Image.Image) -> tuple[int, int, int, int] | None:
    return image.convert("L").point(lambda v: 255 if v > 96 else 0).getbbox()


def test_a_compressed_pair_is_drawn_where_it_was_measured(fonts):
    together, apart = _canvas(fonts), _canvas(fonts)
    together.text(10, 0, "好。」", SIZE, fill=WHITE, bg=BLACK)
    apart.text(10, 0, "好。", SIZE, fill=WHITE, bg=BLACK)
    apart.text(10 + 2 * SIZE - SIZE // 2, 0, "」", SIZE, fill=WHITE, bg=BLACK)
    assert fonts.regular.measure("好。」", SIZE) == 2.5 * SIZE
    assert ImageChops.difference(together.image, apart.image).getbbox() is None


def test_an_opening_mark_after_another_moves_into_its_blank_half(fonts):
    canvas = _canvas(fonts)
    width = canvas.text(10, 0, "（「好", SIZE, fill=WHITE, bg=BLACK)
    ink = _ink(canvas.image)
    assert width == 2.5 * SIZE
    assert ink is not None and ink[2] <= 10 + width  # nothing drawn past the measured width


def test_characters_removed_rather_than_drawn_leave_no_trace(fonts):
    clean, dirty = _canvas(fonts), _canvas(fonts)
    clean.text(10, 0, "通知公告", SIZE, fill=WHITE, bg=BLACK)
    dirty.text(10, 0, "通\x00知\u202e公\ufffd告\u200b", SIZE, fill=WHITE, bg=BLACK)
    assert ImageChops.difference(clean.image, dirty.image).getbbox() is None


def test_body_lines_but_the_last_span_the_full_width(fonts):
    text = (
        "本乡户籍农户，已建成屋顶光伏的，年发电量达到12.5 千瓦时以上的可申请补贴；"
        "流转土地3 亩以上的种植大户另行申报。详见 https://www.gov.cn/zhengce/guangfu.html 。"
    )
    width = 600
    lines = lay_out_lines([Para(text)], fonts.regular, SIZE, width)
    assert len(lines) >= 3
    canvas = Canvas(Image.new("RGB", (width + 40, 80 * len(lines)), BLACK), fonts)
    canvas.lines(lines, 20, 0, width, SIZE, 60, fill=WHITE, bg=BLACK, heading_fill=WHITE,
                 marker_fill=WHITE, marker_text=BLACK, gap=0)  # fmt: skip
    boxes = [m.box for m in canvas.marks if m.kind == "text"]
    for line, box in zip(lines, boxes, strict=True):
        assert box.left == 20
        natural = fonts.regular.measure(line.text, SIZE)
        if line.last or line.text.isascii():
            # A paragraph's last line, and a line with nowhere to add space (all of it
            # one URL), stay flush left at their natural width.
            assert box.right == int(20 + natural + 0.999), line.text
        else:
            assert box.right == 20 + width, line.text
        row = canvas.image.crop((0, box.top, width + 40, box.bottom))
        ink = _ink(row)
        assert ink is not None and ink[2] <= box.right
        if not line.last and "\u4e00" <= line.text[-1] <= "\u9fff":
            # A line ending in a Han character has its ink right up to the measure.
            assert ink[2] >= 20 + width - 0.12 * SIZE, line.text


def test_a_justified_line_looks_through_removed_characters(fonts):
    clean, dirty = _canvas(fonts), _canvas(fonts)
    clean.text(10, 0, "通知公告 notice", SIZE, fill=WHITE, bg=BLACK, justify=360)
    dirty.text(10, 0, "通\x00知\u200b公告 \u202enotice", SIZE, fill=WHITE, bg=BLACK, justify=360)
    assert ImageChops.difference(clean.image, dirty.image).getbbox() is None
    assert _ink(clean.image)[2] > 10 + 340  # it was spread to the measure

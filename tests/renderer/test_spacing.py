"""Punctuation compression and justification (clreq): pure placement of a line's characters."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renderer.spacing import MAX_STRETCH_EM, opportunities, place, squeezes
from tests.renderer.conftest import FakeMetrics

SIZE = 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("好。」", ((1, False),)),  # closing + closing: the first loses its right half
        ("说，“好", ((1, False),)),  # closing + opening: the closing mark's right half
        ("（「注", ((1, True),)),  # opening + opening: the second loses its left half
        ("。」）", ((0, False), (1, False))),
        ("好，好", ()),  # one mark alone keeps its em
        ("（）", ()),  # an empty pair is left alone
        ("a.)", ()),  # Latin punctuation is not fullwidth
    ],
)
def test_adjacent_fullwidth_marks_lose_one_blank_half(text, expected):
    assert squeezes(text) == expected


def test_a_compressed_pair_takes_one_and_a_half_em(fake):
    assert place("。」", fake, SIZE).width == 15
    assert place("（「", fake, SIZE).width == 15
    # An opening mark that loses its left half is drawn half an em further left.
    assert place("（「注", fake, SIZE).xs == (0, 5, 15)


def test_justified_line_spans_the_measure_exactly(fake):
    placed = place("本乡户籍农户可以申请补贴", fake, SIZE, 130)
    assert placed.justified and placed.width == 130
    assert placed.xs[-1] + 10 == pytest.approx(130)
    gaps = {round(b - a, 6) for a, b in zip(placed.xs, placed.xs[1:], strict=False)}
    assert len(gaps) == 1  # the slack is spread evenly between the characters


def test_latin_words_and_numbers_keep_their_letters_together(fake):
    text = "装机5 kW可得2,000元"
    placed = place(text, fake, SIZE, 125)
    assert placed.justified
    natural = place(text, fake, SIZE).xs
    for word in ("2,000", "kW"):
        i = text.index(word)
        moved = {round(placed.xs[j] - natural[j], 6) for j in range(i, i + len(word))}
        assert len(moved) == 1, word  # every letter of the word moved by the same amount


def test_no_space_is_added_before_a_closing_or_after_an_opening_mark():
    text = "他说：“好。”"
    gaps = opportunities(text)
    assert text.index("：") not in gaps and text.index("。") not in gaps
    assert text.index("好") not in gaps  # right after “


def test_a_line_that_would_need_wide_holes_stays_flush_left(fake):
    placed = place("见网址", fake, SIZE, 30 + 2 * (MAX_STRETCH_EM * SIZE) + 1)
    assert not placed.justified and placed.width == 30
    assert not place("https://x.cn/", fake, SIZE, 200).justified  # no opportunity at all


ALPHABET = "农户补贴政策申请，。、：；！？「」『』（）“”《》abcXYZ 0123.-/"


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=ALPHABET, min_size=1, max_size=30), extra=st.integers(0, 60))
def test_placement_never_reorders_and_justifies_to_the_exact_width(text, extra):
    fake = FakeMetrics()
    natural = place(text, fake, SIZE)
    assert len(natural.xs) == len(text)
    assert natural.width <= fake.measure(text, SIZE)  # compression only ever takes away
    target = natural.width + extra
    placed = place(text, fake, SIZE, target)
    # Characters never overlap one another's ink: each sits at or after its natural spot.
    assert all(p >= n - 1e-9 for p, n in zip(placed.xs, natural.xs, strict=True))
    if placed.justified:
        assert placed.width == target
        # The last character ends exactly at the measure.
        assert placed.xs[-1] + natural.width - natural.xs[-1] == pytest.approx(target)
    else:
        assert placed.width == natural.width

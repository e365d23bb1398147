"""Profiles, WCAG contrast and the derived palette."""

from __future__ import annotations

import pytest

from renderer.profiles import PROFILES, get_profile
from renderer.theme import (
    ALERT_RED,
    ALERT_YELLOW,
    BLACK,
    STATUS_COLOURS,
    WHITE,
    Branding,
    contrast_ratio,
    ensure_contrast,
    palette_for,
    parse_hex,
)


def test_wcag_contrast_reference_values():
    assert contrast_ratio((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert contrast_ratio((0, 0, 0), (0, 0, 0)) == pytest.approx(1.0)
    # WebAIM reference: #777777 on white is 4.48:1.
    assert contrast_ratio((0x77, 0x77, 0x77), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio((1, 2, 3), (200, 100, 50)) == contrast_ratio((200, 100, 50), (1, 2, 3))


def test_ensure_contrast_fixes_a_weak_pair():
    assert contrast_ratio((120, 120, 120), (60, 60, 60)) < 7.0
    fg = ensure_contrast((120, 120, 120), (60, 60, 60))
    assert contrast_ratio(fg, (60, 60, 60)) >= 7.0
    dark = ensure_contrast((120, 120, 120), (220, 220, 220))
    assert contrast_ratio(dark, (220, 220, 220)) >= 7.0 and dark[0] < 120


@pytest.mark.parametrize(
    ("primary", "accent"),
    [
        ("#1F4E79", "#F2B705"),
        ("#FFFFFF", "#FFFF00"),
        ("#2E7D32", "#1B5E20"),
        ("#C62828", "#000000"),
    ],
)
def test_every_palette_text_pair_meets_7_to_1(primary, accent):
    pal = palette_for(Branding("频道", "乡", None, primary, accent))
    backgrounds = [pal.background, pal.background_low, pal.panel]
    for fg in (pal.text, pal.muted, pal.accent):
        for bg in backgrounds:
            assert contrast_ratio(fg, bg) >= 7.0, (fg, bg)
    assert contrast_ratio(pal.text, pal.header) >= 7.0
    assert contrast_ratio(pal.tag_text, pal.tag_bg) >= 7.0
    assert contrast_ratio(pal.ticker_text, pal.ticker_bg) >= 7.0
    assert contrast_ratio(pal.ticker_label_text, pal.ticker_label_bg) >= 7.0


def test_status_and_alert_colours_meet_7_to_1():
    for fill, text in STATUS_COLOURS.values():
        assert contrast_ratio(fill, text) >= 7.0
    assert contrast_ratio(WHITE, ALERT_RED) >= 7.0
    assert contrast_ratio(BLACK, ALERT_YELLOW) >= 7.0


def test_broadcast_safe_range():
    pal = palette_for(Branding("频道", "乡", None, "#FFFFFF", "#000000"))
    for value in vars(pal).values():
        assert all(16 <= c <= 235 for c in value)


def test_bad_colour_is_refused():
    with pytest.raises(ValueError):
        parse_hex("blue")


def test_profiles():
    assert {p: (v.width, v.height) for p, v in PROFILES.items()} == {
        "1080p": (1920, 1080),
        "720p": (1280, 720),
        "576i-16x9": (1024, 576),
        "576i-4x3": (768, 576),
    }
    sd = get_profile("576i-16x9")
    assert (sd.storage_width, sd.storage_height, sd.sar) == (720, 576, (64, 45))
    assert get_profile("576i-4x3").sar == (16, 15)
    assert sd.dar == (16, 9) and get_profile("576i-4x3").dar == (4, 3)
    # SAR x storage width = display width in square pixels.
    for name in ("576i-16x9", "576i-4x3"):
        p = get_profile(name)
        assert p.storage_width * p.sar[0] / p.sar[1] == pytest.approx(p.width, abs=1)
    hd = get_profile("1080p")
    assert hd.min_text >= 48
    assert (hd.safe.left, hd.safe.top, hd.safe.right, hd.safe.bottom) == (96, 54, 1824, 1026)


def test_unknown_profile_lists_the_valid_ones():
    with pytest.raises(ValueError, match="1080p"):
        get_profile("4k")

"""Reference images guard every template against visual regressions.

Each template's first page is rendered at 720p (with the ticker band), scaled down to
480x270 and compared with ``reference/<name>.png`` by mean absolute difference. Small
differences (another FreeType build's anti-aliasing) pass; a moved block fails.
Regenerate after an intended change: ``UPDATE_REFERENCE=1 .venv/bin/pytest tests/renderer``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from renderer.render import draw_page, plan_item
from tests.renderer import samples
from tests.renderer.conftest import TODAY, make_branding

REFERENCE = Path(__file__).parent / "reference"
SIZE = (480, 270)
TOLERANCE = 1.5  # mean absolute difference per channel, 0-255


def _render(name: str) -> Image.Image:
    branding = make_branding("今晚有大风降温，请关好门窗，注意防寒保暖。")
    ctx, specs = plan_item(samples.ALL[name], profile="720p", branding=branding, today=TODAY)
    image = draw_page(specs[0], ctx).image
    return image.resize(SIZE, Image.Resampling.BOX)


@pytest.mark.parametrize("name", list(samples.ALL))
def test_matches_reference(name):
    path = REFERENCE / f"{name}.png"
    actual = _render(name)
    if os.environ.get("UPDATE_REFERENCE") or not path.exists():
        if not os.environ.get("UPDATE_REFERENCE"):
            pytest.fail(f"no reference image {path.name}; run with UPDATE_REFERENCE=1")
        REFERENCE.mkdir(exist_ok=True)
        actual.save(path, optimize=True)
        return
    expected = Image.open(path).convert("RGB")
    diff = ImageStat.Stat(ImageChops.difference(actual, expected)).mean
    assert max(diff) <= TOLERANCE, f"{name} differs from its reference by {diff}"


def test_the_comparison_catches_a_real_change():
    base = _render("notice")
    moved = ImageChops.offset(base, 0, 12)
    diff = ImageStat.Stat(ImageChops.difference(base, moved)).mean
    assert max(diff) > TOLERANCE

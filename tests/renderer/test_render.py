"""render_item: content-addressed cache, determinism, durations; render_cli."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

import renderer.render as render_module
from renderer.cli import render_cli
from renderer.items import ItemError
from renderer.page import ReadingPace, page_duration
from renderer.render import render_item
from renderer.timing import UNIT_SECONDS, snap_seconds
from tests.renderer import samples
from tests.renderer.conftest import TODAY, make_branding


@pytest.fixture
def draws(monkeypatch):
    """Count real drawing calls."""
    calls = []
    original = render_module.draw_page

    def counting(spec, ctx):
        calls.append(spec.page_no)
        return original(spec, ctx)

    monkeypatch.setattr(render_module, "draw_page", counting)
    return calls


def test_pages_are_stored_by_key_and_render_is_deterministic(tmp_path, branding):
    first = render_item(
        samples.NOTICE, profile="720p", branding=branding, cache_dir=tmp_path / "a", today=TODAY
    )
    second = render_item(
        samples.NOTICE, profile="720p", branding=branding, cache_dir=tmp_path / "b", today=TODAY
    )
    assert [p.key for p in first] == [p.key for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.path == tmp_path / "a" / "pages" / a.key[:2] / f"{a.key}.png"
        assert a.path.read_bytes() == b.path.read_bytes()  # byte-identical PNGs
        assert a.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.page_no for p in first] == list(range(1, len(first) + 1))
    assert all(p.page_count == len(first) for p in first)
    assert not list((tmp_path / "a").rglob(".tmp-*"))  # temp files renamed away


def test_a_cache_hit_draws_nothing(tmp_path, branding, draws):
    pages = render_item(
        samples.POLICY, profile="720p", branding=branding, cache_dir=tmp_path, today=TODAY
    )
    assert len(draws) == len(pages) > 1
    draws.clear()
    again = render_item(
        samples.POLICY, profile="720p", branding=branding, cache_dir=tmp_path, today=TODAY
    )
    assert draws == []
    assert again == pages


def test_unchanged_pages_are_not_redrawn_when_the_item_changes(tmp_path, branding, draws):
    render_item(samples.POLICY, profile="720p", branding=branding, cache_dir=tmp_path, today=TODAY)
    first_count = len(draws)
    draws.clear()
    # Only the source document changes: it is on the last page; the cover stays.
    changed = {**samples.POLICY, "source_document": "乾农发〔2026〕13号"}
    pages = render_item(changed, profile="720p", branding=branding, cache_dir=tmp_path, today=TODAY)
    assert 1 not in draws
    assert 0 < len(draws) < first_count
    assert len(pages) == first_count


def test_a_deleted_png_is_drawn_again(tmp_path, branding, draws):
    pages = render_item(
        samples.IDENT, profile="720p", branding=branding, cache_dir=tmp_path, today=TODAY
    )
    pages[0].path.unlink()
    draws.clear()
    again = render_item(
        samples.IDENT, profile="720p", branding=branding, cache_dir=tmp_path, today=TODAY
    )
    assert draws == [1] and again[0].path.is_file()


@pytest.mark.parametrize("cut", [0, 100])
def test_a_png_cut_short_is_drawn_again(tmp_path, branding, draws, cut):
    """A power cut can leave a page empty or truncated: it does not count as stored."""
    pages = render_item(
        samples.IDENT, profile="720p", branding=branding, cache_dir=tmp_path, today=TODAY
    )
    whole = pages[0].path.read_bytes()
    pages[0].path.write_bytes(whole[:cut])
    draws.clear()
    again = render_item(
        samples.IDENT, profile="720p", branding=branding, cache_dir=tmp_path, today=TODAY
    )
    assert draws == [1] and again[0].path.read_bytes() == whole


@pytest.mark.parametrize(
    "change",
    [
        {"today": date(2026, 11, 23)},
        {"profile": "1080p"},
        {"branding": make_branding("停电通知：明天8点至12点停电。")},
        {"branding": make_branding(logo=None)},
    ],
)
def test_key_changes_with_everything_that_changes_pixels(tmp_path, change):
    base = {"profile": "720p", "branding": make_branding(), "today": TODAY}
    a = render_item(samples.IDENT, cache_dir=tmp_path, **base)
    b = render_item(samples.IDENT, cache_dir=tmp_path, **{**base, **change})
    assert a[0].key != b[0].key


def test_logo_file_contents_are_part_of_the_key(tmp_path):
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (64, 64), (200, 30, 30)).save(logo)
    a = render_item(
        samples.IDENT,
        branding=make_branding(logo=logo),
        cache_dir=tmp_path,
        today=TODAY,
        profile="720p",
    )
    Image.new("RGB", (64, 64), (30, 200, 30)).save(logo)
    b = render_item(
        samples.IDENT,
        branding=make_branding(logo=logo),
        cache_dir=tmp_path,
        today=TODAY,
        profile="720p",
    )
    assert a[0].key != b[0].key


def test_durations_follow_reading_pace_and_snap_to_the_grid(tmp_path, branding):
    pages = render_item(
        samples.NOTICE, profile="720p", branding=branding, cache_dir=tmp_path, today=TODAY
    )
    for page in pages:
        units = page.duration_s / UNIT_SECONDS
        assert abs(units - round(units)) < 1e-6
        assert page.duration_s >= snap_seconds(8)
    slow = render_item(
        samples.NOTICE,
        profile="720p",
        branding=branding,
        cache_dir=tmp_path,
        today=TODAY,
        pace=ReadingPace(chars_per_second=1.5),
    )
    assert sum(p.duration_s for p in slow) > sum(p.duration_s for p in pages)


def test_page_duration_has_a_floor_but_no_cap_then_snaps():
    assert page_duration(0) == snap_seconds(8)
    assert page_duration(60) == snap_seconds(20)  # 60 chars at 3 chars/s
    assert page_duration(300) == snap_seconds(100)  # never hurried: no cap
    assert page_duration(30, ReadingPace(chars_per_second=1, min_seconds=5)) == snap_seconds(30)
    with pytest.raises(ValueError):
        ReadingPace(chars_per_second=0)


def test_invalid_item_raises_item_error(tmp_path, branding):
    with pytest.raises(ItemError, match="标题") as err:
        render_item({"type": "notice"}, branding=branding, cache_dir=tmp_path, today=TODAY)
    assert err.value.field == "title"
    with pytest.raises(ValueError, match="profile"):
        render_item(samples.IDENT, profile="8k", branding=branding, cache_dir=tmp_path, today=TODAY)


def test_render_cli_copies_numbered_pages(tmp_path):
    src = tmp_path / "item.json"
    src.write_text(json.dumps(samples.POLICY, ensure_ascii=False), "utf-8")
    pages = render_cli(src, tmp_path / "out", "576i-4x3", today=TODAY)
    names = sorted(p.name for p in (tmp_path / "out").glob("page-*.png"))
    assert names == [f"page-{i:02d}.png" for i in range(1, len(pages) + 1)]
    assert [p.path for p in pages] == [tmp_path / "out" / n for n in names]  # what the CLI prints
    assert ".cache" not in str(pages[0].path)


@pytest.mark.parametrize(
    ("content", "match"),
    [("{not json", "JSON"), ('{"type": "tv-show"}', "type"), ("[1, 2]", "JSON 对象")],
)
def test_render_cli_rejects_bad_input_clearly(tmp_path, content, match):
    src = tmp_path / "item.json"
    src.write_text(content, "utf-8")
    with pytest.raises(ItemError, match=match):
        render_cli(src, tmp_path / "out", today=TODAY)


def test_render_cli_rejects_unknown_profile_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="profile"):
        render_cli(tmp_path / "x.json", tmp_path / "out", "4k", today=TODAY)
    with pytest.raises(ItemError):
        render_cli(tmp_path / "missing.json", tmp_path / "out", today=TODAY)


def test_renderer_version_follows_the_code(tmp_path):
    from renderer.render import RENDERER_VERSION, code_version

    copy = tmp_path / "renderer"
    shutil.copytree(Path(render_cli.__code__.co_filename).parent, copy,
                    ignore=shutil.ignore_patterns("__pycache__"))
    assert code_version(copy) == RENDERER_VERSION
    layout = copy / "layout.py"
    layout.write_text(layout.read_text("utf-8") + "\n# a layout change\n", "utf-8")
    assert code_version(copy) != RENDERER_VERSION

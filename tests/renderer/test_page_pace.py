"""Reading pace without a cap: long text goes on more pages, each up as long as the channel's
pace needs to read it (issue #10, part 5)."""

from __future__ import annotations

import pytest

from renderer.layout import Para, fit_text, line_chars
from renderer.page import ReadingPace, page_duration
from renderer.render import plan_item, render_item
from tests.renderer import samples
from tests.renderer.conftest import TODAY, make_branding

LONG = "各村要组织人员逐户排查，发现隐患立即整改，确保群众生命财产安全。" * 40  # 1,280 chars
POLICY = {**samples.POLICY, "body": LONG}


def _plan(pace: ReadingPace, profile: str = "1080p"):
    return plan_item(POLICY, profile=profile, branding=make_branding(), today=TODAY, pace=pace)


@pytest.mark.parametrize("cps", [1.5, 3.0, 5.0])
def test_no_page_is_read_faster_than_the_pace(cps):
    pace = ReadingPace(chars_per_second=cps)
    _, specs = _plan(pace)
    for spec in specs:
        seconds = page_duration(spec.reading_chars, pace)
        assert spec.reading_chars / seconds <= cps + 1e-9
        # and pages of running text stay near a page's reading time (the title adds a little)
        if "doc" in spec.data and spec.data["doc"].body:
            assert line_chars(spec.data["doc"].body) <= pace.page_chars


def test_a_slower_pace_puts_long_text_on_more_pages_set_larger():
    _, fast = _plan(ReadingPace(chars_per_second=3.0))
    _, slow = _plan(ReadingPace(chars_per_second=1.5))
    assert len(slow) > len(fast)
    size = lambda specs: specs[-1].data["doc"].body_size  # noqa: E731
    assert size(slow) >= size(fast)
    body = lambda specs: "".join(ln.text for s in specs if "doc" in s.data  # noqa: E731
                                 for ln in s.data["doc"].body if not ln.text.endswith("（续）"))
    assert body(slow) == body(fast)  # the same text, all of it (headings repeated aside)


def test_the_old_forty_second_cap_is_gone():
    """At 3 chars/s a 1,280-character body airs for at least 1,280 / 3 s in all."""
    pace = ReadingPace()
    _, specs = _plan(pace)
    total = sum(page_duration(s.reading_chars, pace) for s in specs)
    assert total >= len(LONG) / 3


def test_fit_text_ends_pages_at_the_character_budget(fake):
    paras = [Para("一二三四五六七八九十")] * 3  # 10 chars, one line at 10 px in 100 px
    fit = fit_text(paras, fake, width=100, heights=[1000], max_size=10, min_size=10,
                   max_chars=[20])
    assert [line_chars(p) for p in fit.pages] == [20, 10]
    unlimited = fit_text(paras, fake, width=100, heights=[1000], max_size=10, min_size=10)
    assert len(unlimited.pages) == 1


def test_the_pace_is_part_of_the_whole_item_cache_key(tmp_path):
    item = {"type": "notice", "title": "防火通知", "body": LONG[:330]}
    kw = {"profile": "720p", "branding": make_branding(), "cache_dir": tmp_path, "today": TODAY}
    fast = render_item(item, pace=ReadingPace(chars_per_second=3.0), **kw)
    slow = render_item(item, pace=ReadingPace(chars_per_second=1.5), **kw)
    assert len(slow) > len(fast)  # not the fast layout answered from the cache
    assert [p.duration_s for p in render_item(item, pace=ReadingPace(), **kw)] == [
        p.duration_s for p in fast]

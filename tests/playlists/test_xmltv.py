"""The XMLTV guide: programmes from the timeline, escaping, and Debian's validator."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, time, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest

from playlists.plan import CategoryRule, ChannelPlan, Daypart, PlannedItem, PlannedPage
from playlists.playstate import PlayState
from playlists.timeline import Slot
from playlists.xmltv import (
    ChannelInfo,
    Programme,
    build_epg,
    channel_id,
    guide_programmes,
    programmes_from_slots,
    xmltv_time,
)

TZ = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
SIX = datetime(2026, 11, 22, 6, tzinfo=TZ)
PAGE_S = 10.24


def make_item(item_id: str, category: str, title: str, pages: int = 1) -> PlannedItem:
    return PlannedItem(
        id=item_id,
        version=1,
        category=category,
        title=title,
        pages=tuple(
            PlannedPage(f"{item_id}-{n}", "p.png", "u.ts", PAGE_S, n, pages)
            for n in range(1, pages + 1)
        ),
        ready_at=SIX - timedelta(days=30),
    )


def make_plan(items=(), categories=None) -> ChannelPlan:
    return ChannelPlan(
        slug="jianshan",
        name="监山乡村频道",
        timezone="Asia/Shanghai",
        profile="1080p",
        generated_at=SIX,
        items=tuple(items),
        categories=categories or {},
        filler=make_item("ident", "ident", "监山乡村频道"),
    )


def slot_of(item: PlannedItem, start: datetime, page: int = 1) -> Slot:
    return Slot(item.id, 1, item.category, item.pages[page - 1], start, PAGE_S, False)


def run_of(items, start=SIX) -> list[Slot]:
    slots, t = [], start
    for item in items:
        slots.append(slot_of(item, t))
        t = slots[-1].end
    return slots


SUBSIDY = make_item("policy:1", "policy", "耕地地力保护补贴")
MACHINES = make_item("policy:2", "policy", "农机购置补贴")
HUKOU = make_item("service:1", "service", "户口迁移办理")
PLAN = make_plan([SUBSIDY, MACHINES, HUKOU])


def test_consecutive_slots_of_a_category_make_one_programme():
    slots = run_of([SUBSIDY, MACHINES, SUBSIDY, HUKOU, MACHINES])
    progs = programmes_from_slots(slots, PLAN)
    assert [p.title for p in progs] == ["惠农政策", "办事指南", "惠农政策"]
    assert progs[0].desc == "耕地地力保护补贴、农机购置补贴"
    assert progs[0].categories == ("惠农政策",)
    assert progs[0].start == SIX and progs[0].stop == slots[2].end
    assert [p.start for p in progs[1:]] == [p.stop for p in progs[:-1]]
    assert xmltv_time(progs[0].start) == "20261122060000 +0800"


def test_a_gap_or_an_alert_splits_a_programme_and_labels_come_from_the_plan():
    plan = make_plan([SUBSIDY, MACHINES], {"policy": CategoryRule(label="政策解读")})
    first = slot_of(SUBSIDY, SIX)
    alert = Slot("policy:2", 1, "policy", MACHINES.pages[0], first.end, PAGE_S, True)
    later = slot_of(SUBSIDY, alert.end + timedelta(minutes=5))
    progs = programmes_from_slots([first, alert, later], plan)
    assert len(progs) == 3
    assert {p.title for p in progs} == {"政策解读"}


def test_times_are_given_in_channel_time():
    slots = run_of([SUBSIDY], start=SIX.astimezone(UTC))
    assert xmltv_time(programmes_from_slots(slots, PLAN)[0].start) == "20261122060000 +0800"


def test_blocks_cut_the_timeline_on_the_clock():
    items = [make_item(f"policy:{n}", "policy", f"政策{n}", pages=3) for n in range(3)]
    items += [make_item("service:1", "service", "户口迁移")]
    plan = make_plan(items, {"policy": CategoryRule(weight=3)})
    progs = guide_programmes(
        plan, SIX, PlayState(), before=timedelta(0), after=timedelta(hours=2), block_minutes=30
    )
    assert len(progs) == 4
    for n, prog in enumerate(progs):
        block = SIX + timedelta(minutes=30 * n)
        assert block <= prog.start < block + timedelta(seconds=PAGE_S)
        assert prog.title == "惠农政策 · 办事指南"  # policy has three times the airtime
        assert "政策0" in prog.desc and "户口迁移" in prog.desc
    assert all(a.stop == b.start for a, b in zip(progs, progs[1:], strict=False))


def test_long_descriptions_are_cut():
    items = [make_item(f"notice:{n}", "notice", f"公告{n}") for n in range(20)]
    progs = programmes_from_slots(run_of(items), make_plan(items))
    assert progs[0].desc.endswith("公告11 等 20 项")


def test_guide_window_spans_an_hour_back_and_a_day_ahead():
    plan = make_plan([SUBSIDY, HUKOU])
    now = SIX + timedelta(hours=4)
    progs = guide_programmes(plan, now, PlayState())
    assert progs[0].start == now - timedelta(hours=1)
    assert progs[-1].stop >= now + timedelta(hours=24)


def test_channel_ids_are_xmltv_ids():
    assert channel_id("jianshan") == "jianshan.villagecast"
    assert channel_id("li_jia gou") == "li-jia-gou.villagecast"


HOSTILE = "A & B <b>\"粗体\"</b>\x01 '引'"


def test_epg_escapes_user_text_and_stays_utf8():
    info = ChannelInfo("jianshan", HOSTILE, icon_url='https://x.cn/logo.png?a=1&b="2"')
    prog = Programme(SIX, SIX + timedelta(minutes=5), HOSTILE, desc=HOSTILE, categories=("惠农",))
    data = build_epg([(info, [prog])])

    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert "惠农".encode() in data  # real UTF-8, not character references
    assert b"\x01" not in data
    root = ET.fromstring(data)
    clean = HOSTILE.replace("\x01", "")
    assert root.find("channel/display-name").text == clean
    assert root.find("channel/icon").get("src") == 'https://x.cn/logo.png?a=1&b="2"'
    node = root.find("programme")
    assert node.get("start") == "20261122060000 +0800"
    assert node.get("stop") == "20261122060500 +0800"
    assert node.get("channel") == "jianshan.villagecast"
    assert [c.tag for c in node] == ["title", "desc", "category"]
    assert node.find("title").text == clean and node.find("desc").text == clean
    assert node.find("title").get("lang") == "zh"


def test_empty_description_is_left_out():
    info = ChannelInfo("jianshan", "监山乡村频道")
    data = build_epg([(info, [Programme(SIX, SIX + timedelta(minutes=1), "频道介绍")])])
    assert ET.fromstring(data).find("programme/desc") is None


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        xmltv_time(datetime(2026, 11, 22, 6))


@pytest.mark.skipif(shutil.which("tv_validate_file") is None, reason="xmltv-util not installed")
def test_guide_of_a_simulated_day_passes_tv_validate_file(tmp_path: Path):
    morning = Daypart(tuple(range(7)), time(6), time(9))
    items = [
        SUBSIDY,
        MACHINES,
        HUKOU,
        make_item("produce:1", "produce", "张家村土鸡蛋 & 核桃 <特价>"),
        make_item("board", "whereabouts", "今日干部去向", pages=2),
    ]
    plan = make_plan(items, {"produce": CategoryRule(dayparts=(morning,))})
    other = make_plan([HUKOU])
    data = build_epg(
        [
            (
                ChannelInfo("jianshan", "监山乡村频道", "https://tv.example.cn/logo.png"),
                guide_programmes(plan, SIX, PlayState()),
            ),
            (
                ChannelInfo("lijiagou", "李家沟村"),
                guide_programmes(other, SIX, PlayState(), block_minutes=30),
            ),
        ]
    )
    path = tmp_path / "epg.xml"
    path.write_bytes(data)
    dtd = Path("/usr/share/xmltv/xmltv.dtd")
    args = ["--dtd-file", str(dtd)] if dtd.exists() else []
    result = subprocess.run(
        ["tv_validate_file", *args, str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validated ok" in result.stdout

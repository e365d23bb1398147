"""The county overview in Chromium, at 1366×768 and on a 390-px phone: one row (or card) per
township linking down, charts with their numbers behind 查看数据, and a thumbnail of what each
channel airs. Screenshots go to ``$VILLAGECAST_SHOTS`` (default: the test's tmp dir)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from tests.e2e.conftest import login
from tests.publisher import test_content_support as support

pytestmark = pytest.mark.browser
make_item, office = support.make_item, support.office

MORE = (("黄土坪乡", "huangtuping"), ("龙潭镇", "longtan"), ("青石乡", "qingshi"),
        ("白河镇", "baihe"))
# Page lengths on the rotation, by category (seconds), for the made-up as-run log.
ROTATION = (("policy", 60), ("service", 40), ("policy", 60), ("produce", 40), ("notice", 40),
            ("roster", 30), ("whereabouts", 30), ("ident", 10))
TITLES = {"policy": "2026年耕地地力保护补贴发放", "service": "农村低保申请",
          "produce": "高山土豆", "notice": "汛期安全防范通知", "roster": "干部分工",
          "whereabouts": "今日干部去向", "ident": "频道标识"}


def _png(path: Path, title: str, colour: str) -> None:
    """A stand-in for a rendered slide in the page cache (the renderer writes the real ones)."""
    from PIL import Image, ImageDraw, ImageFont

    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (1280, 720), colour)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 72)
    draw.rectangle((0, 560, 1280, 720), fill="#f2c14e")
    draw.text((80, 240), title, font=font, fill="white")
    image.save(path)


def _plan(app, slug: str, name: str, now: datetime) -> None:  # noqa: ANN001
    from playlists.plan import (
        CategoryRule,
        ChannelPlan,
        Daypart,
        PlannedItem,
        PlannedPage,
        save_plan,
    )

    def item(n: int, category: str, **kw) -> PlannedItem:  # noqa: ANN003
        page = PlannedPage(key=f"{n:064x}", png="", unit="", duration_s=10.24)
        return PlannedItem(id=f"{category}:{n}", version=1, category=category,
                           title=TITLES[category], pages=(page,),
                           ready_at=now - timedelta(days=3), **kw)

    morning = Daypart(weekdays=(), start=time(6), end=time(12))
    evening = Daypart(weekdays=(), start=time(18), end=time(22))
    market = Daypart(weekdays=(5, 6), start=time(7), end=time(19))  # weekend market days
    rules = {"policy": CategoryRule(3.0), "service": CategoryRule(2.0),
             "produce": CategoryRule(2.0, (market,)),
             "notice": CategoryRule(2.0, (morning, evening)),
             "roster": CategoryRule(1.0), "whereabouts": CategoryRule(1.0, (morning,))}
    items = (item(1, "policy"), item(2, "service"), item(3, "produce"),
             item(4, "notice", valid_until=now + timedelta(days=3)), item(5, "roster"),
             item(6, "whereabouts"))
    save_plan(ChannelPlan(slug, name, "Asia/Shanghai", "720p", now, items=items,
                          categories=rules), Path(app.config["PLAN_DIR"]) / f"{slug}.json")


@pytest.fixture
def county(app, office, make_item):  # noqa: ANN001, ANN201
    """Six townships with a day of as-run log (one channel with a two-hour outage and one
    stalled now), plans, open calls, cadres, items waiting for review."""
    from publisher.extensions import db
    from publisher.models import AsRunEntry, Cadre, Channel, Township, Whereabouts
    from publisher.models.emergency import Household, Incident
    from publisher.models.org import Village

    now = datetime.now(UTC).replace(microsecond=0)
    make_item("policy", state="live")
    for kind in ("notice", "service", "produce"):
        make_item(kind, state="pending")
    make_item("notice", state="pending", township_id=office.b)
    status = Path(app.config["STATUS_DIR"])
    status.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        for name, slug in MORE:
            t = Township(name=name, county="乾元县")
            db.session.add(t)
            db.session.flush()
            db.session.add(Channel(township_id=t.id, slug=slug, name=f"{name}频道"))
        db.session.flush()
        channels = db.session.query(Channel).order_by(Channel.id).all()
        today = now.astimezone(_zone()).date()
        for n, channel in enumerate(channels):
            _plan(app, channel.slug, channel.name, now)
            stalled = channel.slug == "qingshi"
            outage = channel.slug == "shimen"
            start, step = now - timedelta(hours=25), 0
            rows = []
            while start < now - (timedelta(minutes=40) if stalled else timedelta(0)):
                category, seconds = ROTATION[step % len(ROTATION)]
                hours_ago = (now - start).total_seconds() / 3600
                if not (outage and 5 <= hours_ago < 7.4):  # 2.4 hours of nothing
                    key = f"{channel.id:02d}{step:062x}"
                    rows.append(dict(channel_id=channel.id, aired_at=start,
                                     duration_ms=seconds * 1000, item_ref=f"{category}:{step}",
                                     version=1, category=category, title=TITLES[category],
                                     page_no=1, page_count=1, page_key=key))
                start += timedelta(seconds=seconds)
                step += 1
            db.session.execute(AsRunEntry.__table__.insert(), rows)
            if not stalled:
                last = rows[-1]
                colour = ("#0b3d5c", "#1f5fa8", "#0b7a6b", "#7a3ea1", "#8a5700", "#b4441a")[n]
                _png(Path(app.config["CACHE_DIR"]) / "pages" / last["page_key"][:2]
                     / f"{last['page_key']}.png", last["title"], colour)
                (status / f"{channel.slug}.json").write_text(json.dumps(
                    {"last_segment_at": now.isoformat(), "segment_s": 3.84}))
            # Cadres: everyone of A has checked in, half of the next two, none elsewhere.
            people = [Cadre(township_id=channel.township_id, name=f"干部{n}{i}", post="包村干部",
                            phone=f"1390917{n:02d}{i:02d}") for i in range(4)]
            db.session.add_all(people)
            db.session.flush()
            done = {0: 4, 1: 2, 2: 1}.get(n, 0)
            db.session.add_all(Whereabouts(cadre_id=c.id, day=today, status="在村走访")
                               for c in people[:done])
            village = Village(township_id=channel.township_id, name=f"{n}号村")
            db.session.add(village)
            db.session.flush()
            home = Household(township_id=channel.township_id, village_id=village.id,
                             kind="空巢老人")
            db.session.add(home)
            db.session.flush()
            for weeks_ago in range(n % 4):  # a call every week or so
                at = now - timedelta(weeks=weeks_ago, days=n % 3)
                open_ = weeks_ago == 0 and n in (1, 3)
                db.session.add(Incident(
                    township_id=channel.township_id, household_id=home.id, source="device",
                    call_plan_snapshot={}, triggered_at=at, last_trigger_at=at,
                    state="triggered" if open_ else "resolved", is_drill=False))
        db.session.commit()
    return office


def _zone():  # noqa: ANN202
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


@pytest.fixture
def shots(tmp_path) -> Path:  # noqa: ANN001
    out = Path(os.environ.get("VILLAGECAST_SHOTS") or tmp_path / "shots") / "overview"
    out.mkdir(parents=True, exist_ok=True)
    return out


def test_county_overview_rows_link_down_and_charts_have_their_numbers(
        live_server, browser, county, shots):  # noqa: ANN001
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server, "county")
    page.goto(f"{live_server}/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shots / "overview-1366.png"), full_page=True)
    page.screenshot(path=str(shots / "overview-1366-first-screen.png"))

    rows = page.locator("#county-overview tbody tr")
    assert rows.count() == 6
    names = [rows.nth(i).locator("th a").inner_text() for i in range(6)]
    assert names == ["监山乡", "石门镇", "黄土坪乡", "龙潭镇", "青石乡", "白河镇"]
    first = rows.nth(0)
    assert first.locator("td[data-label=待审核]").inner_text().strip() == "3"
    assert first.locator("td[data-label=今日报到]").inner_text().split()[0] == "100%"
    assert "正常" in first.locator("td[data-label=播出信号]").inner_text()
    stalled = rows.nth(4)
    assert "没有画面" in stalled.locator("td[data-label=播出信号]").inner_text()
    assert "现在没有播出，最后一页" in stalled.locator("td[data-label=正在播出]").inner_text()
    assert rows.nth(1).locator("td[data-label=未处理呼救]").inner_text().strip() == "⚠ 1"

    # Thumbnails: the page on air now, decoded from the render cache; a placeholder otherwise.
    thumbs = page.locator("#now-airing img")
    assert thumbs.count() == 5
    assert all(w >= 1280 for w in thumbs.evaluate_all("imgs => imgs.map(i => i.naturalWidth)"))
    assert page.locator("#now-airing .thumb-empty").count() == 1

    # Every chart: a heading, an SVG image named by it, and its numbers one click away.
    for chart in ("chart-share", "chart-calls", "chart-week", "chart-health"):
        figure = page.locator(f"#{chart}")
        svg = figure.locator("svg.chart-svg")
        assert svg.get_attribute("role") == "img"
        title = figure.locator("h2").inner_text()
        assert title and svg.get_attribute("aria-labelledby").startswith(f"{chart}-title")
        table = figure.locator("details table")
        assert not table.is_visible()
        figure.locator("details summary").click()
        assert table.is_visible() and table.locator("tbody tr").count() >= 1
    share = page.locator("#chart-share details tbody tr").all_inner_texts()
    assert any(r.startswith("惠农政策") and "%" in r for r in share)
    week = page.locator("#chart-week details tbody tr").all_inner_texts()
    assert len(week) == 7
    for row in week:  # each day's hours add up to the day
        assert sum(float(x) for x in row.split("\t")[1:]) == pytest.approx(24, abs=0.1)
    outage = page.locator("#chart-health details tbody tr", has_text="石门镇频道").inner_text()
    minutes = [int(x) for x in outage.split("\t")[1:]]
    assert minutes.count(0) >= 1 and any(0 < m < 60 for m in minutes)  # the 2.4-hour hole
    assert page.locator("#chart-health g[data-channel=shimen] rect.health-off").count() >= 1
    page.screenshot(path=str(shots / "overview-1366-data-open.png"), full_page=True)

    # Another channel's week timeline, without script.
    page.select_option("#timeline-channel", "longtan")
    page.click("#chart-week button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "龙潭镇频道" in page.locator("#chart-week h2").inner_text()

    # Down to one township.
    page.click("#county-overview tbody tr >> nth=1 >> th a")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/?township_id={county.b}")
    assert page.locator("h1").inner_text() == "石门镇 · 工作台"
    assert page.locator("#county-overview").count() == 0
    assert page.locator("#chart-health g.health-channel").count() == 1  # its own channel only
    page.screenshot(path=str(shots / "township-drilldown-1366.png"), full_page=True)
    assert errors == []
    context.close()


def test_county_overview_on_a_phone_is_one_card_per_township(live_server, browser, county,
                                                              shots):  # noqa: ANN001
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    login(page, live_server, "county")
    page.goto(f"{live_server}/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shots / "overview-phone-390.png"), full_page=True)
    page.screenshot(path=str(shots / "overview-phone-390-first-screen.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways
    assert not page.locator("#county-overview thead").is_visible()
    card = page.locator("#county-overview tbody tr").nth(0).bounding_box()
    assert card["width"] <= 390 and card["height"] > 150  # stacked, not a squeezed row
    label = page.locator("#county-overview td[data-label=今日报到]").first.evaluate(
        "td => getComputedStyle(td, '::before').content")
    assert "今日报到" in label
    # Wide charts scroll inside their card rather than shrinking their text away.
    week = page.locator("#chart-week svg.chart-svg").bounding_box()
    assert week["width"] >= 700
    font = page.locator("#chart-share svg.chart-svg text").first.evaluate(
        "t => t.getBoundingClientRect().height")
    assert font >= 14  # labels stay readable at phone width
    context.close()


def test_item_page_follows_its_rendering_then_says_when_it_aired(live_server, browser, app,
                                                                 office, make_item, shots):  # noqa: ANN001
    """The clock renders while the editor watches: the page moves on by itself from the
    render queue to 待播出, and after airing says 已播出 with the times from the as-run log."""
    from playwright.sync_api import expect

    from publisher.extensions import db
    from publisher.models import AsRunEntry, Channel

    ahead = make_item("notice", state="approved")
    item_id = make_item("policy", state="approved")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    login(page, live_server, "editor")
    page.goto(f"{live_server}/content/policy/{item_id}")
    progress = page.locator("#render-progress")
    assert "排队渲染：前面还有 1 项" in progress.inner_text()
    page.screenshot(path=str(shots / "item-render-queue.png"))
    with app.app_context():
        support.mark_live(ahead)  # the clock renders the one ahead…
    expect(page.locator("#render-progress .progress-text")).to_contain_text("排在第一位",
                                                                           timeout=10_000)
    with app.app_context():
        support.mark_live(item_id)  # …then this one: the page reloads by itself
    page.wait_for_selector("#render-progress", state="detached", timeout=10_000)
    status = page.locator("p.status-line")
    assert "待播出" in status.inner_text() and "已播出" not in status.inner_text()

    first = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    with app.app_context():
        channel = db.session.query(Channel).filter_by(slug="jianshan").one()
        for at in (first, first + timedelta(seconds=40)):
            db.session.add(AsRunEntry(channel_id=channel.id, aired_at=at, duration_ms=10240,
                                      item_ref=f"policy:{item_id}", version=1,
                                      category="policy", title="政策", page_no=1, page_count=1,
                                      page_key="c" * 64))
        db.session.commit()
    page.reload()
    text = status.inner_text()
    fmt = "%m-%d %H:%M:%S"
    assert "已播出" in text and f"首播 {first.astimezone(_zone()):{fmt}}" in text
    assert f"最近 {(first + timedelta(seconds=40)).astimezone(_zone()):{fmt}}" in text
    page.screenshot(path=str(shots / "item-aired.png"))
    context.close()

"""The county overview: one row per township from the database, the as-run log and the feed
status; a township's own dashboard one click down; charts with their numbers."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.publisher import test_content_support as support

login, make_item, office = support.login, support.make_item, support.office


def as_run(app, slug: str, start: datetime, seconds: float, category: str, title: str,  # noqa: ANN001
           key: str = "ab" * 32) -> None:
    from publisher.extensions import db
    from publisher.models import AsRunEntry, Channel

    with app.app_context():
        channel = db.session.query(Channel).filter_by(slug=slug).one()
        db.session.add(AsRunEntry(channel_id=channel.id, aired_at=start,
                                  duration_ms=round(seconds * 1000), item_ref=f"{category}:1",
                                  version=1, category=category, title=title, page_no=1,
                                  page_count=1, page_key=key))
        db.session.commit()


def open_call(app, township_id: int, at: datetime, *, drill: bool = False,  # noqa: ANN001
              state: str = "triggered") -> None:
    from publisher.extensions import db
    from publisher.models import Village
    from publisher.models.emergency import Household, Incident

    with app.app_context():
        village = db.session.query(Village).filter_by(township_id=township_id).first()
        if village is None:
            village = Village(township_id=township_id, name="石门村")
            db.session.add(village)
            db.session.flush()
        home = Household(township_id=township_id, village_id=village.id, kind="空巢老人")
        db.session.add(home)
        db.session.flush()
        db.session.add(Incident(township_id=township_id, household_id=home.id, source="device",
                                call_plan_snapshot={}, triggered_at=at, last_trigger_at=at,
                                state=state, is_drill=drill))
        db.session.commit()


def feed_ok(app, slug: str, at: datetime) -> None:  # noqa: ANN001
    status = Path(app.config["STATUS_DIR"])
    status.mkdir(parents=True, exist_ok=True)
    (status / f"{slug}.json").write_text(json.dumps(
        {"last_segment_at": at.isoformat(), "segment_s": 3.84}))


class Rows(HTMLParser):
    """The overview table's rows: township id → {column label: text}."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self._row: str | None = None
        self._cell: str | None = None
        self.links: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "tr" and "data-township" in a:
            self._row = a["data-township"]
            self.rows[self._row] = {}
        elif self._row and tag == "th":
            self._cell = "乡镇"
            self.rows[self._row][self._cell] = ""
        elif self._row and tag == "td":
            self._cell = a.get("data-label")
            self.rows[self._row][self._cell] = ""
        elif self._row and tag == "a" and self._cell == "乡镇":
            self.links[self._row] = a["href"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None
        if tag in ("td", "th"):
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._row and self._cell:
            self.rows[self._row][self._cell] += data

    def clean(self) -> dict[str, dict[str, str]]:
        return {t: {k: " ".join(v.split()) for k, v in cells.items()}
                for t, cells in self.rows.items()}


def overview_rows(html: str) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    parser = Rows()
    parser.feed(html)
    return parser.clean(), parser.links


@pytest.fixture
def county(app, office, make_item):  # noqa: ANN001, ANN201
    """Township A: one item live, two waiting for review, a channel airing a policy page, one
    open call (and a drill and a closed call that do not count); township B: silent."""
    now = datetime.now(UTC)
    make_item("policy", state="live")
    make_item("notice", state="pending")
    make_item("service", state="pending")
    make_item("notice", state="pending", township_id=office.b)
    as_run(app, "jianshan", now - timedelta(seconds=20), 60, "policy", "春耕补贴政策")
    as_run(app, "jianshan", now - timedelta(hours=2), 30, "notice", "防汛通知")
    as_run(app, "shimen", now - timedelta(hours=3), 30, "notice", "石门旧通知")  # long over
    feed_ok(app, "jianshan", now)
    open_call(app, office.a, now - timedelta(minutes=5))
    open_call(app, office.a, now - timedelta(minutes=9), drill=True)
    open_call(app, office.a, now - timedelta(days=2), state="resolved")
    return office


def test_the_county_sees_one_row_per_township_linking_down(login, county):
    html = login("county").text("/")
    assert "全县概览" in html and 'id="county-overview"' in html
    rows, links = overview_rows(html)
    a, b = rows[str(county.a)], rows[str(county.b)]
    assert a["乡镇"] == "监山乡" and b["乡镇"] == "石门镇"
    assert a["待审核"] == "2" and b["待审核"] == "1"
    assert "春耕补贴政策" in a["正在播出"] and "惠农政策" in a["正在播出"]
    assert "1 条内容在播出期内" in a["正在播出"]
    ended = (datetime.now(UTC) - timedelta(hours=3) + timedelta(seconds=30)).astimezone(
        ZoneInfo("Asia/Shanghai"))
    assert "石门旧通知" not in b["正在播出"]  # long over: not "on air", but said when it stopped
    assert f"现在没有播出，最后一页 {ended:%H:%M} 播完" in b["正在播出"]
    assert "正常" in a["播出信号"] and "没有画面" in b["播出信号"]
    assert a["未处理呼救"] == "⚠ 1" and b["未处理呼救"] == "0"  # the drill and the closed one not
    assert a["今日报到"] == "未录入干部"
    assert "逾期办件" not in html  # no request ledger yet: no column rather than made-up zeros
    assert links == {str(county.a): f"/?township_id={county.a}",
                     str(county.b): f"/?township_id={county.b}"}
    # The stacked whereabouts tables of every township are gone from the overview.
    assert "今日去向" not in html


def test_the_link_down_opens_that_townships_dashboard(login, county):
    staff = login("county")
    html = staff.text(f"/?township_id={county.b}")
    assert "石门镇 · 工作台" in html and 'id="county-overview"' not in html
    assert "今日去向" in html and 'id="feed-status"' in html and "石门镇频道" in html
    assert "监山乡村频道" not in html  # the other township's feed is not listed
    stats = {label: int(n) for n, label in
             re.findall(r'<span class="stat">(\d+)</span><span>([^<]+)</span>', html)}
    assert stats == {"播出中": 0, "待审核": 1, "草稿": 0, "被退回": 0}  # B's, not the county's
    assert '审核队列 <span class="count">1</span>' in html
    # A number that is not a township, or another county's: back to the overview.
    assert 'id="county-overview"' in staff.text("/?township_id=999")
    assert 'id="county-overview"' in staff.text("/?township_id=abc")


def test_a_township_user_keeps_the_township_dashboard(login, county):
    html = login("editor").text(f"/?township_id={county.b}")  # the parameter is not theirs
    assert 'id="county-overview"' not in html and "今日去向" in html
    assert "石门镇频道" not in html and "监山乡村频道" in html


def test_charts_carry_their_numbers_in_text(login, county):
    html = login("county").text("/")
    for chart in ("chart-share", "chart-calls", "chart-week", "chart-health"):
        section = html.split(f'id="{chart}"', 1)[1].split("</figure>", 1)[0]
        assert "<h2" in section, chart
        assert "chart-empty" in section or ("<svg" in section and "<desc" in section
                                           and "<details>" in section), chart
    calls = html.split('id="chart-calls"', 1)[1].split("</figure>", 1)[0]
    counts = [int(n) for n in re.findall(r'data-count="(\d+)"', calls)]
    # Calls per week count every real call, open or closed; drills are left out.
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    closed_this_week = (today - timedelta(days=2)).isocalendar()[:2] == today.isocalendar()[:2]
    assert len(counts) == 8 and sum(counts) == 2
    assert counts[-1] == (2 if closed_this_week else 1)
    share = html.split('id="chart-share"', 1)[1].split("</figure>", 1)[0]
    aired = re.findall(r'<g class="share-row" data-category="(\w+)"', share)
    assert aired == ["policy", "notice"]  # legend order, only what aired (no plan files)
    assert "实播" in share and "计划" not in share.split("<details>", 1)[1].split("<tbody>")[1]


def test_feed_health_is_the_as_run_log_hour_by_hour(login, county):
    html = login("county").text("/")
    group = html.split('<g class="health-channel" data-channel="jianshan">', 1)[1].split("</g>")[0]
    keys = re.findall(r'class="health-(\w+)"', group)
    assert len(keys) == 24
    # 30 s of a notice two hours ago (hour 21 of the chart); nothing else before this hour.
    assert keys[21] == "gap" and keys[:21] == ["off"] * 21 and keys[22] == "off"
    silent = html.split('<g class="health-channel" data-channel="shimen">', 1)[1].split("</g>")[0]
    keys = re.findall(r'class="health-(\w+)"', silent)
    assert keys == ["off"] * 20 + ["gap"] + ["off"] * 3  # 30 s three hours ago, then nothing

"""What staff and the guide are told about airing comes from the as-run log and the lineup."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

from tests.publisher import test_content_support as support

login, make_item, office = support.login, support.make_item, support.office


def lineup_with(app, entries):  # noqa: ANN001, ANN202
    """Write the channel's plan (no items needed) and a lineup of ``entries`` as playout would."""
    from playlists.lineup import Lineup, lineup_path, save_lineup
    from playlists.plan import ChannelPlan, save_plan

    now = entries[0].start
    save_plan(ChannelPlan("jianshan", "监山乡村频道", "Asia/Shanghai", "1080p", now),
              Path(app.config["PLAN_DIR"]) / "jianshan.json")
    save_lineup(Lineup("jianshan", now, now, tuple(entries)),
                lineup_path(Path(app.config["STATUS_DIR"]), "jianshan"))


def entry(start, ref, title, seconds=10.24, page=1, category="policy"):  # noqa: ANN001, ANN202
    from playlists.lineup import Entry

    return Entry(start, seconds, ref, 1, category, title, f"{ref}-{page}", page, 1)


def as_run(app, start, ref, title, page=1, category="policy"):  # noqa: ANN001, ANN202
    from publisher.extensions import db
    from publisher.models import AsRunEntry, Channel

    with app.app_context():
        channel = db.session.query(Channel).filter_by(slug="jianshan").one()
        db.session.add(AsRunEntry(channel_id=channel.id, aired_at=start, duration_ms=10240,
                                  item_ref=ref, version=1, category=category, title=title,
                                  page_no=page, page_count=1, page_key=f"{ref}-{page}"))
        db.session.commit()


def badges(html: str) -> str:
    found = re.search(r'<p class="status-line">(.*?)</p>', html, re.S)
    assert found, "no status line"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


def test_an_approved_item_waits_to_air_then_shows_when_it_aired(app, login, make_item):
    item_id = make_item("policy", state="live")
    ref = f"policy:{item_id}"
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=3)
    lineup_with(app, [entry(soon - timedelta(seconds=10.24), "notice:9", "别的"),
                      entry(soon, ref, "政策")])
    editor = login("editor")
    line = badges(editor.text(f"/content/policy/{item_id}"))
    local = soon.astimezone(support_zone()).strftime("%H:%M:%S")
    assert "待播出" in line and f"预计 {local}" in line and "播出中" not in line

    aired = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    as_run(app, aired, ref, "政策")
    as_run(app, aired + timedelta(minutes=1), ref, "政策")
    as_run(app, aired + timedelta(minutes=1, seconds=10), ref, "政策", page=2)
    line = badges(editor.text(f"/content/policy/{item_id}"))
    first = aired.astimezone(support_zone()).strftime("%m-%d %H:%M:%S")
    today = datetime.now(UTC).astimezone(support_zone()).date()
    starts = [aired, aired + timedelta(minutes=1)]  # page 2 is not an airing of its own
    count = sum(s.astimezone(support_zone()).date() == today for s in starts)  # near midnight
    assert "已播出" in line and f"首播 {first}" in line and f"今日 {count} 次" in line


def support_zone():  # noqa: ANN201
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def test_the_guide_is_the_as_run_then_the_lineup(app, client, office):
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(minutes=5)
    # What aired: the as-run log. What the lineup says about that past is ignored.
    as_run(app, start, "produce:1", "大米")
    lineup_with(app, [entry(start, "policy:1", "不是这个"),
                      entry(now + timedelta(seconds=30), "notice:2", "停水通知",
                            category="notice")])
    body = client.get("/epg.xml").get_data()
    tv = ET.fromstring(body)
    descs = " ".join(p.findtext("desc") or "" for p in tv.iter("programme"))
    assert "大米" in descs and "停水通知" in descs and "不是这个" not in descs


def test_the_channel_page_shows_what_playout_has_scheduled(app, login, office):
    now = datetime.now(UTC).replace(microsecond=0)
    lineup_with(app, [entry(now - timedelta(seconds=5), "policy:1", "正在播"),
                      entry(now + timedelta(seconds=5), "notice:2", "停水通知",
                            category="notice"),
                      entry(now + timedelta(seconds=15), "notice:2", "停水通知", page=2,
                            category="notice")])
    page = login("editor").text("/channel")
    upcoming = page[page.index('id="upcoming"'):].split("</table>", 1)[0]
    assert "正在播" in upcoming and upcoming.count("停水通知") == 1  # items, not pages

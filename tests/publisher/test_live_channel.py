"""The channel page: feed and UDP state in Chinese, and an as-run log staff can read."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.publisher import test_content_support as support

login, make_item, office = support.login, support.make_item, support.office

SLUG = "jianshan"  # the channel of the ``township`` fixture


def write_status(app, udp: dict) -> None:  # noqa: ANN001
    from publisher.models import utcnow

    folder = Path(app.config["STATUS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    status = {"last_segment_at": utcnow().isoformat(), "segment_s": 3.84, "udp": udp}
    (folder / f"{SLUG}.json").write_text(json.dumps(status), "utf-8")


def aired(app, *entries: tuple[str, str, int, int]) -> None:  # noqa: ANN001
    """As-run rows: (item_ref, title, version, duration in ms), newest last."""
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import AsRunEntry, Channel, utcnow

    with app.app_context():
        channel_id = db.session.scalar(select(Channel.id).where(Channel.slug == SLUG))
        start = utcnow() - timedelta(minutes=10)
        for i, (ref, title, version, ms) in enumerate(entries):
            db.session.add(AsRunEntry(channel_id=channel_id, aired_at=start + timedelta(minutes=i),
                                      duration_ms=ms, item_ref=ref, version=version,
                                      title=title, page_key="0" * 16))
        db.session.commit()


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(("udp", "shown"), [
    ({"state": "off"}, "UDP组播：未启用"),
    ({"state": "sending", "muxrate_bps": 2_000_000, "sent_bps": 1_999_000},
     "UDP组播：正在发送，2.0Mbit/s（设定2.0Mbit/s）"),
    ({"state": "error", "detail": "[Errno 101] Network is unreachable"},
     "发送异常：[Errno101]Networkisunreachable"),
    ({"state": "error", "detail": ""}, "发送异常：发送程序未运行"),
])
def test_udp_state_is_shown_in_chinese(app, login, udp, shown):
    write_status(app, udp)
    page = login("editor").text("/channel")
    status = plain(page[page.index('id="udp-status"') - 20:].split("</p>", 1)[0])
    assert shown in status.replace(" ", "")
    assert udp["state"] not in status


def test_udp_state_of_a_stalled_feed_is_not_trusted(app, login):
    write_status(app, {"state": "sending", "muxrate_bps": 2_000_000, "sent_bps": 2_000_000})
    status = json.loads((Path(app.config["STATUS_DIR"]) / f"{SLUG}.json").read_text())
    status["last_segment_at"] = "2020-01-01T00:00:00+00:00"
    (Path(app.config["STATUS_DIR"]) / f"{SLUG}.json").write_text(json.dumps(status))
    page = login("editor").text("/channel")
    assert "已中断（播出进程无响应）" in plain(page[page.index('id="udp-status"'):])


def test_as_run_durations_read_in_seconds_and_minutes(app, login):
    aired(app, ("notice:1", "防汛通知", 1, 39_700), ("notice:1", "防汛通知", 1, 125_000))
    log = plain(login("editor").text("/channel"))
    assert "39.7 秒" in log and "2 分 05 秒" in log
    assert " s " not in log


def test_as_run_names_what_aired_and_links_to_it(app, login, make_item):
    policy = make_item("policy", state="live")
    aired(app, (f"policy:{policy}", "耕地地力保护补贴", 1, 30_000),
          ("alert:17", "暴雨红色预警", 1, 20_000),
          ("roster:1", "干部分工", 2_147_483_647, 12_000))
    page = login("editor").text("/channel")
    rows = page[page.index("播出记录"):]
    assert f'<a href="/content/policy/{policy}">耕地地力保护补贴</a>' in rows
    assert '<a href="/emergency/alerts">暴雨红色预警</a>' in rows
    text = plain(rows)
    assert "惠农政策 耕地地力保护补贴" in text and "紧急通知 暴雨红色预警" in text
    for raw in (f"policy:{policy}", "alert:17", "roster:1", "v2147483647"):
        assert raw not in rows, raw

"""The dashboard: content counts, my items, the queue, today's whereabouts, feed status."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.publisher import test_content_support as support
from tests.publisher.test_content_support import NOTICE, POLICY

login, make_item, office = support.login, support.make_item, support.office


def _stat(html: str, label: str) -> int:
    import re

    match = re.search(r'<span class="stat">(\d+)</span><span>' + label + "</span>", html)
    assert match, label
    return int(match.group(1))


def test_counts_cover_every_state_and_only_my_township(app, login, make_item, office):
    make_item("policy", state="live")
    make_item("service", state="live")
    make_item("notice", state="pending")
    make_item("produce")
    make_item("policy", {**POLICY, "title": "被退回的政策"}, state="rejected")
    gone = make_item("notice", {**NOTICE, "title": "已撤回的通知"}, state="live")
    login("editor").post(f"/content/notice/{gone}/withdraw")
    make_item("policy", {**POLICY, "title": "乙镇政策"}, state="live", township_id=office.b)
    html = login("editor").text("/")
    assert [_stat(html, label) for label in ("播出中", "待审核", "草稿", "被退回")] == [2, 1, 1, 1]
    assert '审核队列 <span class="count">1</span>' in html
    mine = html.split("我的内容", 1)[1].split("</section>", 1)[0]
    assert "被退回的政策" in mine and "已撤回的通知" not in mine and "乙镇政策" not in mine


@pytest.fixture
def cadres(app, office):  # noqa: ANN001, ANN201
    """Three cadres of township A; one reported today (township time), one yesterday."""
    from datetime import timedelta

    from playlists.timezones import zone
    from publisher.extensions import db
    from publisher.models import Cadre, Whereabouts

    with app.app_context():
        today = datetime.now(UTC).astimezone(zone("Asia/Shanghai")).date()
        people = [Cadre(township_id=office.a, name=n, post=p, phone=ph) for n, p, ph in (
            ("杨建华", "党委书记", "13909172101"), ("张明", "包村干部", "13909172107"),
            ("赵丽", "包村干部", "13909172109"))]
        db.session.add_all(people)
        db.session.flush()
        db.session.add_all([
            Whereabouts(cadre_id=people[0].id, day=today, status="乡机关值班", place="乡政府",
                        activity="主持召开党委会"),
            Whereabouts(cadre_id=people[1].id, day=today - timedelta(days=1), status="在村走访"),
        ])
        db.session.commit()


def _set_deadline(app, township_id: int, hour: int) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import Township

    with app.app_context():
        db.session.get(Township, township_id).checkin_deadline_hour = hour
        db.session.commit()


def test_whereabouts_flag_unreported_cadres_after_the_deadline(app, login, office, cadres):
    _set_deadline(app, office.a, 0)  # the deadline has always passed
    html = login("editor").text("/")
    assert "已报告 1 / 3 人" in html and "主持召开党委会" in html
    assert "超过 0:00 仍未报告" in html
    flagged = html.split("仍未报告：", 1)[1].split("</p>", 1)[0]
    assert "张明" in flagged and "赵丽" in flagged and "杨建华" not in flagged
    assert html.count("逾期未报告") == 2


def test_whereabouts_not_flagged_before_the_deadline(app, login, office, cadres):
    _set_deadline(app, office.a, 24)  # the deadline never comes
    html = login("editor").text("/")
    assert "逾期未报告" not in html and html.count("尚未报告") == 2


def test_feed_status_shows_an_alarm_when_no_segments_are_written(app, login, office):
    html = login("editor").text("/")
    feed = html.split('id="feed-status"', 1)[1].split("</section>", 1)[0]
    assert "监山乡村频道" in feed and "还没有播出画面" in feed

"""The cadre's phone check-in page: two taps, confirmation, change, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import post, text_of

org, world = support.org, support.world  # fixtures: pytest finds them as module attributes

# 23:30 UTC on 3 May is 07:30 on 4 May in Beijing: "today" is the township's day.
NOW = datetime(2026, 5, 3, 23, 30, tzinfo=UTC)
TOWNSHIP_DAY = date(2026, 5, 4)


@pytest.fixture
def clock_start() -> datetime:
    return NOW


@pytest.fixture
def world_clock(world):  # noqa: ANN001, ANN201
    """The module's shared app (``world``) with its clock at ``NOW`` for one test."""
    from tests.fake_clock import installed

    with installed(world[0], NOW) as fake:
        yield fake


@pytest.fixture
def frozen(clock):  # noqa: ANN001, ANN201
    """The app's clock stands at ``NOW``."""
    return clock


def _reports(app, cadre_id: int) -> list[tuple]:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import Whereabouts

    with app.app_context():
        rows = db.session.scalars(select(Whereabouts).where(Whereabouts.cadre_id == cadre_id)
                                  .order_by(Whereabouts.id))
        return [(w.day, w.status, w.village_id, w.place, w.activity, w.source, w.reported_by_id)
                for w in rows]


def test_first_tap_lists_statuses_with_the_common_case_first(client, auth, org, frozen):
    auth.login("cadre_a")
    page = text_of(client.get("/checkin"))
    assert "今天还没有报告去向" in page and "张明" in page and "5月4日" in page
    assert 'href="/checkin?status=%E5%9C%A8%E6%9D%91%E8%B5%B0%E8%AE%BF"' in page  # 在村走访
    assert page.index("在村走访") < page.index("乡机关值班") < page.index("请假")
    assert 'name="viewport"' in page
    # The cadre sees only the check-in link, not the staff menu.
    assert 'href="/review"' not in page and 'href="/checkin"' in page


def test_the_page_shows_how_to_report_by_sms(app, client, auth, org, frozen):
    app.config["SMS_GATEWAY_NUMBER"] = "10657120001"
    auth.login("cadre_a")
    page = text_of(client.get("/checkin"))
    assert "没有网络时，发短信报告" in page
    assert '<p class="sms-example">去向 张家村 走访</p>' in page  # the cadre's own village
    assert 'href="sms:10657120001?body=%E5%8E%BB%E5%90%91' in page
    # The very text shown is one the SMS reader takes.
    from publisher.sms.checkin import parse_checkin

    assert parse_checkin("去向 张家村 走访", ["张家村"]).village == "张家村"


def test_second_tap_lists_the_cadres_own_villages_first(client, auth, org, frozen):
    auth.login("cadre_a")
    page = text_of(client.get("/checkin?status=在村走访"))
    assert page.index("我包的村") < page.index("张家村") < page.index("其他村") < page.index(
        "李家沟村")
    assert f'name="village_id" value="{org.zhang}"' in page
    assert "王庄村" not in page  # another township's village


def test_two_taps_record_the_report_and_show_it(app, client, auth, org, frozen):
    auth.login("cadre_a")
    response = post(client, "/checkin", {"status": "在村走访", "village_id": str(org.zhang),
                                         "activity": ""})
    assert response.status_code == 303 and response.headers["Location"].endswith("/checkin")
    assert _reports(app, org.cadre) == [
        (TOWNSHIP_DAY, "在村走访", org.zhang, "", "", "web", org.cadre_user)]
    page = text_of(client.get("/checkin"))
    assert "已报告：在村走访 · 张家村" in page  # the confirmation
    assert "✓ 在村走访 · 张家村" in page and "已在频道显示" in page
    assert "修改去向" in page


def test_changing_the_report_keeps_history_and_shows_the_latest(app, client, auth, org, frozen):
    auth.login("cadre_a")
    post(client, "/checkin", {"status": "在村走访", "village_id": str(org.zhang)})
    post(client, "/checkin", {"status": "外出开会", "place": "县委", "activity": "三级干部会"})
    assert [r[1] for r in _reports(app, org.cadre)] == ["在村走访", "外出开会"]
    page = text_of(client.get("/checkin"))
    assert "✓ 外出开会 · 县委" in page and "三级干部会" in page


def test_other_statuses_need_one_confirm(client, auth, org, frozen):
    auth.login("cadre_a")
    page = text_of(client.get("/checkin?status=乡机关值班"))
    assert "确认报告" in page and 'name="place"' not in page
    page = text_of(client.get("/checkin?status=出差"))
    assert 'name="place"' in page
    # An unknown status in the link falls back to the first step.
    assert "今天在哪里" in text_of(client.get("/checkin?status=摸鱼"))


@pytest.mark.parametrize(("data", "message"), [
    ({"status": "在村走访", "village_id": "B"}, "不属于本乡镇"),
    ({"status": "在村走访"}, "请选择所在的村"),
    ({"status": "摸鱼"}, "请选择去向"),
    ({"status": "其他", "place": "x" * 81}, "80"),
])
def test_bad_check_ins_are_refused_and_change_nothing(world, world_clock, data, message):
    app, org = world
    client = support.client_for(app, "cadre_a")
    if data.get("village_id") == "B":
        data = {**data, "village_id": str(org.b_village)}
    response = post(client, "/checkin", data)
    assert response.status_code == 400 and message in text_of(response)
    assert _reports(app, org.cadre) == []


def test_account_without_a_cadre_gets_an_explanation(app, client, auth, org, frozen):
    from publisher.extensions import db
    from tests.publisher.test_people_support import add_user

    with app.app_context():
        add_user("lonely", "cadre", org.a)
        db.session.commit()
    auth.login("lonely")
    page = text_of(client.get("/checkin"))
    assert "尚未关联干部信息" in page
    response = post(client, "/checkin", {"status": "请假"})
    assert response.status_code == 200 and "尚未关联" in text_of(response)


def test_check_in_requires_login(client, org):
    response = client.get("/checkin")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_reports_by_cadres_are_on_the_board_without_review(app, client, auth, org, frozen):
    auth.login("cadre_a")
    post(client, "/checkin", {"status": "在村走访", "village_id": str(org.zhang),
                              "activity": "走访困难户"})
    post(client, "/logout")
    auth.login("editor_a")
    page = text_of(client.get("/whereabouts"))
    row = page[page.index(f'data-cadre="{org.cadre}"'):]
    row = row[:row.index("</tr>")]
    assert "在村走访" in row and "张家村" in row and "走访困难户" in row and "网页" in row

"""The staff whereabouts board, its history, and staff entering/correcting reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import post, text_of

org, world = support.org, support.world  # fixtures: pytest finds them as module attributes

# 2026-05-04 10:30 in Beijing: after the default 09:00 check-in deadline.
NOW = datetime(2026, 5, 4, 2, 30, tzinfo=UTC)
TODAY = date(2026, 5, 4)


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
    """The app's clock stands at ``NOW``; returns a setter to move it."""
    return clock.set


def _report(app, cadre_id: int, day: date = TODAY, **fields):  # noqa: ANN001, ANN003, ANN202
    from publisher.extensions import db
    from publisher.models import Cadre
    from publisher.services.whereabouts import record_whereabouts

    with app.app_context():
        cadre = db.session.get(Cadre, cadre_id)
        record_whereabouts(cadre, day, fields.pop("status", "在村走访"), **fields)


def _reports(app, cadre_id: int) -> list[tuple]:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import Whereabouts

    with app.app_context():
        rows = db.session.scalars(select(Whereabouts).where(Whereabouts.cadre_id == cadre_id)
                                  .order_by(Whereabouts.id))
        return [(w.day, w.status, w.village_id, w.place, w.source, w.reported_by_id,
                 w.activity, w.start_time, w.end_time) for w in rows]


def test_board_shows_reports_and_flags_cadres_missing_after_the_deadline(app, client, auth, org,
                                                                         frozen):
    _report(app, org.cadre, village_id=org.zhang, activity="走访困难户", source="sms",
            start_time=time(8, 30), end_time=time(11), now=NOW - timedelta(hours=2))
    auth.login("reviewer_a")
    page = text_of(client.get("/whereabouts"))
    assert "2026-05-04" in page
    row_zhang = page[page.index(f'data-cadre="{org.cadre}"'):]
    row_zhang = row_zhang[:row_zhang.index("</tr>")]
    for text in ("在村走访", "张家村", "08:30-11:00", "走访困难户", "短信", "08:30"):
        assert text in row_zhang, text
    row_li = page[page.index(f'data-cadre="{org.cadre2}"'):]
    row_li = row_li[:row_li.index("</tr>")]
    assert 'class="missing"' in page and "未报告" in row_li and "st-missing" in row_li
    assert "赵强" not in page


def test_before_the_deadline_missing_reports_are_not_flagged_yet(app, client, auth, org, frozen):
    frozen(datetime(2026, 5, 4, 0, 30, tzinfo=UTC))  # 08:30 in Beijing
    auth.login("editor_a")
    page = text_of(client.get("/whereabouts"))
    assert "尚未报告" in page and "badge st st-missing" not in page


def test_history_by_date(app, client, auth, org, frozen):
    yesterday = TODAY - timedelta(days=1)
    _report(app, org.cadre2, day=yesterday, status="出差", place="省城")
    auth.login("editor_a")
    old = text_of(client.get(f"/whereabouts?date={yesterday.isoformat()}"))
    assert "出差" in old and "省城" in old
    assert "省城" not in text_of(client.get("/whereabouts"))
    # A malformed date shows today rather than failing.
    assert client.get("/whereabouts?date=2026-13-45").status_code == 200


def test_staff_enter_a_report_for_a_cadre(app, client, auth, org, frozen):
    auth.login("editor_a")
    form = text_of(client.get(f"/whereabouts/{org.cadre2}/report"))
    assert "李芳" in form
    data = {"date": TODAY.isoformat(), "status": "外出开会", "place": "县委党校",
            "start_time": "09:00", "end_time": "17:00", "activity": "参加培训"}
    response = post(client, f"/whereabouts/{org.cadre2}/report", data)
    assert response.status_code == 303
    [row] = _reports(app, org.cadre2)
    assert row == (TODAY, "外出开会", None, "县委党校", "staff", org.editor, "参加培训",
                   time(9), time(17))
    page = text_of(client.get(response.headers["Location"]))
    assert "县委党校" in page and "代报" in page and "editor_a" in page


def test_staff_correct_a_cadres_own_report_and_the_latest_wins(app, client, auth, org, frozen):
    _report(app, org.cadre, village_id=org.zhang, source="web", now=NOW - timedelta(hours=1))
    auth.login("editor_a")
    form = text_of(client.get(f"/whereabouts/{org.cadre}/report"))
    assert "当前报告" in form and "网页" in form
    post(client, f"/whereabouts/{org.cadre}/report",
         {"date": TODAY.isoformat(), "status": "在村走访", "village_id": str(org.li)})
    assert [r[2] for r in _reports(app, org.cadre)] == [org.zhang, org.li]  # history kept
    page = text_of(client.get("/whereabouts"))
    row = page[page.index(f'data-cadre="{org.cadre}"'):]
    assert "李家沟村" in row[:row.index("</tr>")]


@pytest.mark.parametrize(("data", "message"), [
    ({"status": "摸鱼"}, "请选择去向"),
    ({"status": "在村走访"}, "请选择所在的村"),
    ({"status": "在村走访", "village_id": "B"}, "不属于本乡镇"),
    ({"status": "在村走访", "village_id": "99999"}, "不属于本乡镇"),
    ({"status": "其他", "start_time": "10:00", "end_time": "09:00"}, "晚于开始时间"),
    ({"status": "其他", "start_time": "25:99"}, "08:30"),
    ({"status": "其他", "activity": "很长" * 101}, "200"),
    ({"status": "出差", "date": "2026-06-30"}, "7 天以内"),
])
def test_invalid_staff_reports_change_nothing(world, world_clock, data, message):
    app, org = world
    client = support.client_for(app, "editor_a")
    if data.get("village_id") == "B":
        data = {**data, "village_id": str(org.b_village)}
    url = f"/whereabouts/{org.cadre}/report?date={data.pop('date', TODAY.isoformat())}"
    response = post(client, url, data)
    assert response.status_code == 400
    assert message in text_of(response)
    assert _reports(app, org.cadre) == []


def test_inactive_cadres_are_not_on_the_board(app, client, auth, org, frozen):
    from publisher.extensions import db
    from publisher.models import Cadre

    with app.app_context():
        db.session.get(Cadre, org.cadre2).active = False
        db.session.commit()
    auth.login("editor_a")
    assert f'data-cadre="{org.cadre2}"' not in text_of(client.get("/whereabouts"))


def test_county_admin_sees_the_chosen_townships_board(app, client, auth, org, frozen):
    auth.login("county")
    page = text_of(client.get(f"/whereabouts?township_id={org.b}"))
    assert "赵强" in page and "张明" not in page


def test_updated_stamp_is_in_the_townships_time_zone(app, client, auth, org, frozen):
    """A township on Urumqi time (UTC+6): a report at 01:30 UTC was made at 07:30 there,
    which is 09:30 in Beijing. The staff board, the dashboard and the API all say 07:30."""
    from publisher.extensions import db
    from publisher.models import Township

    with app.app_context():
        db.session.get(Township, org.a).timezone = "Asia/Urumqi"
        db.session.commit()
    _report(app, org.cadre, village_id=org.zhang, now=datetime(2026, 5, 4, 1, 30, tzinfo=UTC))
    auth.login("editor_a")
    for path in ("/whereabouts", "/"):
        page = text_of(client.get(path))
        assert "更新于 07:30" in page, path
        assert "更新于 09:30" not in page and "更新于 01:30" not in page, path
    with app.app_context():
        from publisher.models import User

        token = db.session.get(User, org.editor).issue_api_token()
        db.session.commit()
    board = client.get("/api/v1/whereabouts", headers={"Authorization": f"Bearer {token}"})
    assert board.get_json()["updated_at"] == "2026-05-04T07:30:00+06:00"

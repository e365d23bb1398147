"""The channel schedule page (/org/channels/<id>/schedule): edit, errors, audit, access."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from publisher.services.schedule import CATEGORIES, DEFAULT_CATEGORIES
from tests.publisher import test_i18n
from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import post, text_of

org, world = support.org, support.world  # fixtures: pytest finds them as module attributes
english_app = test_i18n.english_app

# A complete form as the page posts it with the default schedule: 3:2:2:2, the rest 1.
FORM = {f"weight-{cat}": f"{rule.weight:g}" for cat, rule in DEFAULT_CATEGORIES.items()}
# The four reviewed kinds and the two boards on air all day (3:2:2:2:1:1), the other
# categories (video, kinds added since) off: the shares below are worked out by hand.
SIX = {**{f"weight-{cat}": "0" for cat in DEFAULT_CATEGORIES},
       "weight-policy": "3", "weight-service": "2", "weight-produce": "2", "weight-notice": "2",
       "weight-roster": "1", "weight-whereabouts": "1"}
WEEKDAY_MORNINGS = {"dp-policy-0-days": ["0", "1", "2", "3", "4"], "dp-policy-0-start": "07:00",
                    "dp-policy-0-end": "09:00"}


def shares(html: str) -> dict[str, str]:
    return dict(re.findall(r'id="share-(\w+)">([^<]*)<', html))


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def stored(app, channel_id: int):  # noqa: ANN001, ANN201
    from publisher.extensions import db
    from publisher.models import Channel

    with app.app_context():
        return db.session.get(Channel, channel_id).schedule


def schedule_events(app) -> list:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import AuditEvent

    with app.app_context():
        events = list(db.session.scalars(select(AuditEvent).where(
            AuditEvent.target_type == "channel_schedule").order_by(AuditEvent.id)))
        for event in events:
            db.session.expunge(event)
        return events


def test_channel_list_links_to_the_schedule(client, auth, org):
    auth.login("admin_a")
    listing = text_of(client.get("/org/channels"))
    assert f'href="/org/channels/{org.a_channel}/schedule"' in listing
    assert "节目编排" in listing


def test_default_schedule_shows_each_categorys_share(client, auth, org):
    auth.login("admin_a")
    response = client.get(f"/org/channels/{org.a_channel}/schedule")
    assert response.status_code == 200
    page = text_of(response)
    # The board counts against its own share (issue 10): 3:2:2:2, then 1 for each other
    # category (video, the boards, kinds added since).
    total = sum(rule.weight for rule in DEFAULT_CATEGORIES.values())
    assert shares(page) == {**{cat: f"{100 * rule.weight / total:.1f}%"
                               for cat, rule in DEFAULT_CATEGORIES.items()}, "idle": "0%"}
    assert shares(page)["video"] == shares(page)["whereabouts"]  # video has its row now
    for label in ("惠农政策", "办事指南", "特色农产品", "通知公告", "视频", "干部分工", "每日去向",
                  "· 默认编排"):
        assert label in page
    assert "恢复默认编排" not in page  # nothing to reset
    # Seven weekday boxes and a start and end per daypart row, four rows per category.
    assert page.count('name="dp-policy-0-days"') == 7
    assert 'name="dp-policy-3-start"' in page and 'name="dp-policy-4-start"' not in page


def test_admin_saves_weights_and_dayparts(app, client, auth, org):
    auth.login("admin_a")
    response = post(client, f"/org/channels/{org.a_channel}/schedule",
                    {**SIX, "weight-produce": "0", **WEEKDAY_MORNINGS})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/org/channels/{org.a_channel}/schedule")
    saved = stored(app, org.a_channel)
    assert saved["policy"] == {"weight": 3.0, "dayparts": [
        {"weekdays": [0, 1, 2, 3, 4], "start": "07:00", "end": "09:00"}]}
    assert saved["produce"]["weight"] == 0
    page = text_of(client.get(response.headers["Location"]))
    assert "已保存“监山乡村频道”的节目编排" in page
    # Policy airs 10 of 168 hours, sharing them 3:2:2:1:1 with the others.
    got = shares(page)
    assert got["policy"] == "2%" and got["produce"] == "0%" and got["idle"] == "0%"
    assert 'value="07:00"' in page and "· 默认编排" not in page
    assert "恢复默认编排" in page  # a custom schedule can be reset


def test_a_change_is_audited_with_before_and_after(app, client, auth, org):
    auth.login("admin_a")
    post(client, f"/org/channels/{org.a_channel}/schedule",
         {**FORM, "weight-produce": "0", **WEEKDAY_MORNINGS})
    [event] = schedule_events(app)
    assert (event.action, event.target_id, event.township_id) == ("edit", str(org.a_channel),
                                                                   org.a)
    assert set(event.before) == set(event.after) == {"policy", "produce"}
    assert event.before["produce"] == {"weight": 2.0, "dayparts": []}
    assert event.after["produce"] == {"weight": 0.0, "dayparts": []}
    log = plain(text_of(client.get("/audit?type=channel_schedule")))
    assert "频道编排" in log and "比例 3 · 周一至周五 07:00–09:00" in log and "不播出" in log


def test_saving_an_unchanged_schedule_records_nothing(app, client, auth, org):
    auth.login("admin_a")
    response = post(client, f"/org/channels/{org.a_channel}/schedule", FORM,
                    follow_redirects=True)
    assert "编排没有改动" in text_of(response)
    assert schedule_events(app) == []


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"weight-policy": "-1"}, "weight-policy", "比例不能是负数"),
    ({"weight-service": "两"}, "weight-service", "比例请填写数字"),
    ({"weight-notice": ""}, "weight-notice", "不播出填 0"),
    ({"weight-roster": "500"}, "weight-roster", "不能超过 100"),
    ({**WEEKDAY_MORNINGS, "dp-policy-0-days": []}, "dp-policy-0-days", "请至少勾选一天"),
    ({**WEEKDAY_MORNINGS, "dp-policy-0-start": "7点"}, "dp-policy-0-start", "时:分"),
    ({**WEEKDAY_MORNINGS, "dp-policy-0-end": "25:00"}, "dp-policy-0-end", "时:分"),
    ({**WEEKDAY_MORNINGS, "dp-policy-0-end": ""}, "dp-policy-0-end", "请填写结束时间"),
    ({**WEEKDAY_MORNINGS, "dp-policy-0-end": "07:00"}, "dp-policy-0-end", "不能和开始时间相同"),
    ({"dp-notice-2-days": "9", "dp-notice-2-start": "08:00", "dp-notice-2-end": "09:00"},
     "dp-notice-2-days", "周一到周日"),
])
def test_bad_input_is_shown_next_to_its_field_and_nothing_saved(world, changes, field, message):
    app, ids = world
    client = support.client_for(app, "admin_a")
    response = post(client, f"/org/channels/{ids.a_channel}/schedule", {**FORM, **changes})
    assert response.status_code == 400
    page = text_of(response)
    error = re.search(rf'<p class="error" id="e-{field}">([^<]*)</p>', page)
    assert error and message in error.group(1), page[page.find('class="error'):][:300]
    assert "请修改标红的项目后再保存" in page
    # What was typed stays in the form; the shares are not guessed from a broken form.
    for name, value in changes.items():
        if isinstance(value, str) and value and not name.endswith("-days"):
            assert f'value="{value}"' in page, name
    assert set(shares(page).values()) == {"—"}
    assert stored(app, ids.a_channel) is None
    assert schedule_events(app) == []


def test_ticked_days_survive_an_error_elsewhere(world):
    app, ids = world
    client = support.client_for(app, "admin_a")
    response = post(client, f"/org/channels/{ids.a_channel}/schedule",
                    {**FORM, **WEEKDAY_MORNINGS, "dp-policy-0-days": ["1", "3"],
                     "weight-notice": "x"})
    assert response.status_code == 400
    boxes = re.findall(r'name="dp-policy-0-days" value="(\d)"[^>]*?( checked)?>',
                       text_of(response))
    assert [day for day, checked in boxes if checked] == ["1", "3"]


def test_a_filled_row_after_a_cleared_one_stays_in_view(world):
    app, ids = world
    client = support.client_for(app, "admin_a")
    response = post(client, f"/org/channels/{ids.a_channel}/schedule",
                    {**FORM, "dp-policy-2-days": "6", "dp-policy-2-start": "20:00",
                     "dp-policy-2-end": "21:00", "weight-notice": "x"})
    page = text_of(response)
    policy = page[page.index('data-category="policy"'):page.index('data-category="service"')]
    rows = dict(re.findall(r'<tr class="daypart[^"]*" data-index="(\d)"( hidden)?>', policy))
    assert rows == {"0": " hidden", "1": " hidden", "2": "", "3": " hidden"}


def test_all_weights_zero_is_refused(app, client, auth, org):
    auth.login("admin_a")
    off = {key: "0" for key in FORM}
    response = post(client, f"/org/channels/{org.a_channel}/schedule", off)
    assert response.status_code == 400
    assert "请至少让一类节目播出" in text_of(response)
    assert stored(app, org.a_channel) is None


def test_reset_goes_back_to_the_defaults(app, client, auth, org):
    auth.login("admin_a")
    post(client, f"/org/channels/{org.a_channel}/schedule", {**FORM, "weight-policy": "9"})
    assert stored(app, org.a_channel)["policy"]["weight"] == 9
    response = post(client, f"/org/channels/{org.a_channel}/schedule", {"reset": "1"},
                    follow_redirects=True)
    assert "已恢复默认编排" in text_of(response)
    assert stored(app, org.a_channel) is None
    total = sum(rule.weight for rule in DEFAULT_CATEGORIES.values())
    assert shares(text_of(response))["policy"] == f"{100 * 3 / total:.1f}%"
    assert [e.after["policy"]["weight"] for e in schedule_events(app)] == [9.0, 3.0]


def test_shares_of_an_unsaved_form_for_the_page_to_show(app, client, auth, org):
    auth.login("admin_a")
    url = f"/org/channels/{org.a_channel}/schedule/airtime"
    answer = post(client, url, {**SIX, "weight-policy": "6"}).get_json()
    assert answer["shares"]["policy"] == "42.9%" and answer["errors"] == {}
    answer = post(client, url, {**SIX, "weight-policy": "-6"}).get_json()
    assert answer["shares"]["policy"] == "—" and "weight-policy" in answer["errors"]
    assert stored(app, org.a_channel) is None  # asking saves nothing


@pytest.mark.parametrize("username", ["editor_a", "reviewer_a", "cadre_a"])
def test_only_administrators_edit_a_schedule(world, username):
    app, ids = world
    client = support.client_for(app, username)
    assert client.get(f"/org/channels/{ids.a_channel}/schedule").status_code == 403
    assert post(client, f"/org/channels/{ids.a_channel}/schedule", FORM).status_code == 403
    assert stored(app, ids.a_channel) is None


def test_county_admin_edits_any_townships_schedule(app, org):
    client = support.client_for(app, "county")
    response = post(client, f"/org/channels/{org.b_channel}/schedule",
                    {**FORM, "weight-roster": "0"})
    assert response.status_code == 303
    assert stored(app, org.b_channel)["roster"]["weight"] == 0


def test_the_channel_page_summarises_the_schedule(app, client, auth, org):
    auth.login("admin_a")
    post(client, f"/org/channels/{org.a_channel}/schedule",
         {**SIX, "weight-produce": "0", **WEEKDAY_MORNINGS})
    page = text_of(client.get("/channel"))
    summary = plain(page[page.index('id="schedule-summary"'):].split("</table>", 1)[0])
    assert "惠农政策 2% 周一至周五 07:00–09:00" in summary
    assert "特色农产品 0% 不播出" in summary
    assert "办事指南 32.7% 全天" in summary
    assert "每日去向 16.3% 全天" in summary
    assert "频道时区：北京时间（UTC+8）" in plain(page)


def test_the_channel_page_links_admins_to_the_schedule_only(app, org):
    from publisher.extensions import db
    from publisher.models import AuditEvent

    link = f'href="/org/channels/{org.a_channel}/schedule"'
    assert link in text_of(support.client_for(app, "admin_a").get("/channel"))
    assert link not in text_of(support.client_for(app, "editor_a").get("/channel"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.target_type == "channel_schedule")) == 0


def test_the_longest_gap_is_saved_refused_when_absurd_and_reaches_the_plan(app, client, auth,
                                                                           org):
    auth.login("admin_a")
    url = f"/org/channels/{org.a_channel}/schedule"
    assert 'name="max-gap" value="30"' in text_of(client.get(url))  # the default
    response = post(client, url, {**FORM, "max-gap": "-5"})
    assert response.status_code == 400 and "最长间隔" in text_of(response)
    assert post(client, url, {**FORM, "max-gap": "20"}).status_code == 303
    assert stored(app, org.a_channel)["max_gap_minutes"] == 20
    assert 'name="max-gap" value="20"' in text_of(client.get(url))
    from publisher.extensions import db
    from publisher.models import Channel
    from publisher.services.schedule import max_gap_s_for

    with app.app_context():
        assert max_gap_s_for(db.session.get(Channel, org.a_channel)) == 1200.0
    post(client, url, {**FORM, "max-gap": "0"})
    with app.app_context():
        assert max_gap_s_for(db.session.get(Channel, org.a_channel)) is None


def test_every_declared_kind_that_airs_by_schedule_has_a_row_and_its_words():
    from renderer.declare import DERIVED, REVIEWED
    from renderer.kinds import KINDS

    scheduled = [d.name for d in KINDS.values() if d.source in (REVIEWED, DERIVED)]
    assert list(CATEGORIES) == scheduled and "video" in CATEGORIES
    assert "alert" not in CATEGORIES and "ident" not in CATEGORIES  # interrupt, filler
    for cat in CATEGORIES:
        assert DEFAULT_CATEGORIES[cat].label == KINDS[cat].label  # what airs: Chinese


def test_schedule_labels_in_english_fall_back_to_the_declaration(english_app):
    from publisher.services.schedule import LABELS
    from renderer.kinds import KINDS

    with english_app.test_request_context("/?lang=en"):
        assert str(LABELS["policy"]) == "Subsidy policies"  # from the catalogue
        assert str(LABELS["requests"]) == KINDS["requests"].en["群众诉求"]  # not in it
    with english_app.test_request_context("/"):
        assert str(LABELS["requests"]) == "群众诉求"

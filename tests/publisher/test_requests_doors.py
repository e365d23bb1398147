"""The ledger's doors: the admin pages, the phone page, the JSON API and SMS intake all check
with the one declaration (same Chinese message for the same bad input), mask a resident's
contact for those who need not see it, never answer 5xx to bad input; the export opens."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import SmsMessage, SmsStatus, User, utcnow
from publisher.models.requests import ResidentRequest
from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import client_for, post, text_of

org = support.org  # a fixture: pytest finds it as a module attribute

PHONE = "13911112222"
GOOD = {"category": "基础设施", "village": "张家村", "resident_name": "王五",
        "resident_phone": PHONE, "text": "村口路灯坏了三盏"}
TOO_LONG = "“诉求内容”不能超过 500 个字（现有 501 个字）"


def _token(app, user_id: int) -> str:  # noqa: ANN001
    with app.app_context():
        user = db.session.get(User, user_id)
        token = user.issue_api_token()
        db.session.commit()
        return token


def _sms(app, number: str, text: str) -> SmsMessage:  # noqa: ANN001
    from publisher.inbound import dispatcher

    with app.app_context():
        row = SmsMessage(direction="in", number=number, text=text, status=SmsStatus.RECEIVED,
                         received_at=utcnow(), created_at=utcnow())
        db.session.add(row)
        db.session.flush()
        dispatcher.handle(row, utcnow())
        db.session.commit()
        replies = [m.text for m in db.session.scalars(select(SmsMessage).where(
            SmsMessage.reply_to_id == row.id))]
        return row.status, row.error, replies


def test_one_check_for_every_door(app, org):
    long_text = "张家村" + "路" * 498
    editor = client_for(app, "editor_a")
    form = post(editor, "/requests/new", {**GOOD, "text": long_text})
    assert form.status_code == 400 and TOO_LONG in text_of(form)
    api = app.test_client().post("/api/v1/requests", json={**GOOD, "text": long_text},
                                 headers={"Authorization": f"Bearer {_token(app, org.editor)}"})
    assert api.status_code == 400 and TOO_LONG in api.get_json()["error"]["message"]
    assert api.get_json()["error"]["field"] == "text"
    status, error, replies = _sms(app, "13622223333", long_text)
    assert status == "unmatched" and TOO_LONG in error and TOO_LONG in replies[0]
    phone = post(client_for(app, "cadre_a"), "/requests/phone", {**GOOD, "text": long_text})
    assert phone.status_code == 400 and TOO_LONG in text_of(phone)
    with app.app_context():
        assert db.session.query(ResidentRequest).count() == 0


@pytest.mark.parametrize("body", [
    {"category": "不存在的类别", "text": "x"}, {"category": "其他"},
    {"category": "其他", "text": "x", "village": "外乡的村"},
    {"category": "其他", "text": "x", "resident_phone": "not a phone"}, {"stray": 1},
    {"category": ["其他"], "text": {"a": 1}}, {"category": "其他", "text": "x",
                                             "received_on": "2026-13-45"},
])
def test_bad_input_is_a_400_in_chinese_never_a_5xx(app, org, body):
    api = app.test_client().post("/api/v1/requests", json=body,
                                 headers={"Authorization": f"Bearer {_token(app, org.editor)}"})
    assert api.status_code == 400, api.get_data(as_text=True)
    message = api.get_json()["error"]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    form = post(client_for(app, "editor_a"), "/requests/new",
                {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()})
    assert form.status_code == 400


def test_sms_in_becomes_a_request_and_bursts_join_it(app, org):
    status, _, replies = _sms(app, "+86" + PHONE, "张家村 村口路灯坏了")
    assert status == "handled" and len(replies) == 1
    assert replies[0].startswith("【监山乡】您的诉求已受理，编号") and "承办时限" in replies[0]
    status, _, replies = _sms(app, PHONE, "已经坏了一个月")
    assert status == "handled" and replies == []  # added to the same request, not a new one
    with app.app_context():
        row = db.session.scalars(select(ResidentRequest)).one()
        assert row.source == "sms" and row.village.name == "张家村" and row.category == "其他"
        assert row.text == "张家村 村口路灯坏了\n已经坏了一个月" and row.phone == PHONE
    status, error, replies = _sms(app, "13633334444", "   ")
    assert status == "unmatched" and "空" in error
    # A cadre's own phone keeps its check-in flow: never a request.
    status, _, _ = _sms(app, support.CADRE_PHONE, "去向 张家村 走访")
    assert status == "handled"
    with app.app_context():
        assert db.session.query(ResidentRequest).count() == 1


def test_a_stranger_naming_no_village_in_two_townships_is_asked_to_name_it(app, org):
    # org has two townships: a text naming neither's village cannot be placed.
    status, error, replies = _sms(app, "13644445555", "路灯坏了")
    assert status == "unmatched" and "乡镇" in error and "村名" in replies[0]
    status, _, _ = _sms(app, "13644445556", "王庄村的路灯坏了")  # 王庄村 is 河口镇's
    with app.app_context():
        row = db.session.scalars(select(ResidentRequest)).one()
        assert (status, row.township_id) == ("handled", org.b)


def _register(app, org) -> int:  # noqa: ANN001
    editor = client_for(app, "editor_a")
    response = post(editor, "/requests/new", GOOD)
    assert response.status_code == 303, text_of(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_contact_is_masked_except_for_the_township_admin_and_the_assignee(app, org):
    request_id = _register(app, org)
    editor = client_for(app, "editor_a")
    page = text_of(editor.get(f"/requests/{request_id}"))
    assert "139****2222" in page and PHONE not in page and "王*" in page and "王五" not in page
    assert PHONE not in text_of(editor.get("/requests/"))
    assert PHONE in text_of(client_for(app, "admin_a").get(f"/requests/{request_id}"))
    cadre = client_for(app, "cadre_a")
    assert cadre.get(f"/requests/{request_id}").status_code == 404  # not theirs yet
    assert post(editor, f"/requests/{request_id}/assign",
                {"cadre_id": str(org.cadre)}).status_code == 303
    assert PHONE in text_of(cadre.get(f"/requests/{request_id}"))
    other = client_for(app, "admin_b")
    assert other.get(f"/requests/{request_id}").status_code == 404
    api = app.test_client().get(f"/api/v1/requests/{request_id}",
                                headers={"Authorization": f"Bearer {_token(app, org.editor)}"})
    assert api.get_json()["resident_phone"] == "139****2222"


def test_steps_through_the_pages_and_refusals_are_flashed(app, org):
    request_id = _register(app, org)
    editor = client_for(app, "editor_a")
    early = post(editor, f"/requests/{request_id}/step", {"status": "resolved", "note": "好了"},
                 follow_redirects=True)
    assert "不能改为“办结”" in text_of(early)
    post(editor, f"/requests/{request_id}/assign", {"cadre_id": str(org.cadre)})
    cadre = client_for(app, "cadre_a")
    done = post(cadre, f"/requests/{request_id}/step", {"status": "resolved", "note": "已修"},
                follow_redirects=True)
    assert "已更新为“办结”" in text_of(done)
    assert post(cadre, f"/requests/{request_id}/step",
                {"status": "followed_up", "satisfaction": "满意"}).status_code == 403
    assert post(editor, f"/requests/{request_id}/step",
                {"status": "followed_up", "satisfaction": "满意"}).status_code == 303
    page = text_of(editor.get(f"/requests/{request_id}"))
    assert "办理记录" in page and "短信告知群众" in page and "回访（满意）" in page


def test_monthly_export_opens_with_the_ledger_columns(app, org):
    from publisher.requests.export import HEADERS

    _register(app, org)
    month = utcnow().strftime("%Y-%m")
    assert client_for(app, "editor_a").get(f"/requests/export?month={month}").status_code == 403
    admin = client_for(app, "admin_a")
    assert admin.get("/requests/export?month=2026-13").status_code == 400
    response = admin.get(f"/requests/export?month={month}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == HEADERS
    assert rows[2][2] == "王五" and rows[2][3] == "139****2222" and rows[2][6] == GOOD["text"]


def test_a_formula_typed_by_a_resident_stays_text(app, org):
    from publisher.requests.export import ledger_xlsx
    from publisher.requests.rules import Month

    editor = client_for(app, "editor_a")
    post(editor, "/requests/new", {**GOOD, "text": "=HYPERLINK(\"http://x\")"})
    with app.app_context():
        from publisher.models import Township

        township = db.session.get(Township, org.a)
        data = ledger_xlsx(township, Month.of(utcnow(), township.timezone))
    cell = load_workbook(io.BytesIO(data)).active.cell(row=3, column=7)
    assert cell.data_type == "s"


def test_list_filters_and_the_dashboard_alarm(app, org, clock):
    request_id = _register(app, org)
    editor = client_for(app, "editor_a")
    assert f"/requests/{request_id}" in text_of(editor.get("/requests/?status=accepted"))
    assert f"/requests/{request_id}" not in text_of(editor.get("/requests/?status=resolved"))
    assert f"/requests/{request_id}" not in text_of(editor.get("/requests/?overdue=1"))
    odd = editor.get("/requests/?status=zzz&category=x&page=99999999999999999999")
    assert odd.status_code == 200
    clock.advance(days=40)
    assert f"/requests/{request_id}" in text_of(editor.get("/requests/?overdue=1"))
    alarm = text_of(editor.get("/"))
    assert 'id="requests-overdue"' in alarm and f"/requests/{request_id}" in alarm
    assert "王五" not in alarm and PHONE not in alarm and "路灯" not in alarm


def test_staff_classify_an_sms_request_with_the_same_check(app, org):
    _sms(app, PHONE, "张家村 低保到现在没发")
    with app.app_context():
        row = db.session.scalars(select(ResidentRequest)).one()
        request_id, first_deadline = row.id, row.deadline
    editor = client_for(app, "editor_a")
    bad = post(editor, f"/requests/{request_id}/classify", {"category": "乱填", "village": ""},
               follow_redirects=True)
    assert "“诉求类别”只能是" in text_of(bad)
    assert post(editor, f"/requests/{request_id}/classify",
                {"category": "社会保障", "village": "李家沟村"}).status_code == 303
    with app.app_context():
        row = db.session.get(ResidentRequest, request_id)
        assert (row.category, row.village.name) == ("社会保障", "李家沟村")
        assert row.deadline == first_deadline  # 其他 and 社会保障 both take 15 days
    assert post(client_for(app, "reviewer_a"), f"/requests/{request_id}/classify",
                {"category": "教育"}).status_code == 403


def test_sms_guards_digits_and_a_daily_limit(app, org, clock):
    from publisher.requests.sms_intake import DAILY_MAX, FOLLOW_ON

    status, error, replies = _sms(app, PHONE, "000000")  # a code that verified nothing
    assert (status, error, replies) == ("unmatched", "只有数字", [])
    for n in range(DAILY_MAX):
        assert _sms(app, PHONE, f"张家村 第{n}件事")[0] == "handled"
        clock.advance(seconds=FOLLOW_ON.total_seconds() + 1)  # not a continuation
    status, error, replies = _sms(app, PHONE, "张家村 又一件事")
    assert status == "unmatched" and "上限" in error and "致电" in replies[0]
    with app.app_context():
        assert db.session.query(ResidentRequest).count() == DAILY_MAX


def test_the_statistics_slide_carries_counts_only(app, org, clock):
    from publisher.models import Township
    from publisher.requests.on_air import requests_slide

    with app.app_context():
        township = db.session.get(Township, org.a)
        assert requests_slide(township, clock().date(), clock()) is None  # nothing yet
    _register(app, org)
    with app.app_context():
        township = db.session.get(Township, org.a)
        slide = requests_slide(township, clock().date(), clock())
        assert slide.item["received"] == 1 and slide.item["rows"][0]["category"] == "基础设施"
        aired = json.dumps(slide.item, ensure_ascii=False)
        for personal in ("王五", PHONE, "路灯", "张家村"):
            assert personal not in aired


def test_the_intake_form_speaks_english_from_the_declaration(app, org):
    # The declaration's own English, whatever the compiled catalogue holds.
    page = text_of(client_for(app, "editor_a").get("/requests/new?lang=en"))
    assert "What the resident raised and asks for" in page and "Received on" in page
    chinese = text_of(client_for(app, "editor_a").get("/requests/new?lang=zh"))
    assert "简要写清群众反映的问题" in chinese


def test_a_cadre_lists_only_its_own_cases(app, org):
    first, second = _register(app, org), _register(app, org)
    post(client_for(app, "editor_a"), f"/requests/{second}/assign", {"cadre_id": str(org.cadre)})
    page = text_of(client_for(app, "cadre_a").get("/requests/"))
    assert f"/requests/{second}" in page and f"/requests/{first}\"" not in page
    api = app.test_client().get("/api/v1/requests?limit=1",
                                headers={"Authorization": f"Bearer {_token(app, org.cadre_user)}"})
    assert [r["id"] for r in api.get_json()["items"]] == [second]

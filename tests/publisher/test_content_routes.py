"""Content pages: create, edit, list with search and filters, versions, withdraw, preview."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.publisher import test_content_support as support
from tests.publisher.test_content_support import POLICY, SAMPLES, counts, form_of, item_state

# Fixtures shared by the content tests (pytest finds them as module attributes).
login, make_item, office = support.login, support.make_item, support.office


def untagged(html: str) -> str:
    """The page without the diff's inline markup, to find whole old and new values."""
    return re.sub(r"</?(?:del|ins)>", "", html)


def _latest(app, item_id):  # noqa: ANN001, ANN202
    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        item = db.session.get(ContentItem, item_id)
        v = item.latest
        return v.data, v.valid_from, v.valid_until, v.state


def _only_item_id(app):  # noqa: ANN001, ANN202
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        return db.session.scalars(select(ContentItem.id)).one()


@pytest.mark.parametrize("kind", ["policy", "service", "produce", "notice"])
def test_editor_creates_a_draft_of_each_kind(app, login, kind):
    editor = login("editor")
    form = editor.text(f"/content/{kind}/new")
    assert "保存草稿" in form and "预览电视画面" in form
    response = editor.post(f"/content/{kind}/new", form_of(kind, save="1"))
    assert response.status_code == 302
    item_id = _only_item_id(app)
    assert response.headers["Location"] == f"/content/{kind}/{item_id}"
    data, _, _, state = _latest(app, item_id)
    assert state == "draft"
    assert data["type"] == kind
    for key, value in SAMPLES[kind].items():
        assert data[key] == value, key
    page = editor.text(f"/content/{kind}/{item_id}")
    assert "草稿已保存" in page and "草稿" in page


def test_service_steps_are_split_per_line_and_typed_numbers_dropped(app, login):
    editor = login("editor")
    fields = form_of("service", steps="1、带身份证到村委会\r\n\r\n（2）填写申请表\n第3步：等待审核",
                     documents="身份证\n  \n户口簿")
    assert editor.post("/content/service/new", fields).status_code == 302
    data = _latest(app, _only_item_id(app))[0]
    assert data["steps"] == ["带身份证到村委会", "填写申请表", "等待审核"]
    assert data["documents"] == ["身份证", "户口簿"]


def test_save_and_submit_sends_straight_to_review(app, login):
    editor = login("editor")
    assert editor.post("/content/policy/new", form_of("policy", save_submit="1")).status_code == 302
    assert _latest(app, _only_item_id(app))[3] == "pending"


def test_validity_window_is_read_in_township_time_and_stored_utc(app, login):
    editor = login("editor")
    fields = form_of("policy", valid_from="2030-03-01T08:00", valid_until="2030-03-31T18:30")
    assert editor.post("/content/policy/new", fields).status_code == 302
    item_id = _only_item_id(app)
    _, start, end, _ = _latest(app, item_id)
    assert start == datetime(2030, 3, 1, 0, 0, tzinfo=UTC)  # 08:00 in China is 00:00 UTC
    assert end == datetime(2030, 3, 31, 10, 30, tzinfo=UTC)
    # … and shown back in township time on the edit form.
    html = editor.text(f"/content/policy/{item_id}/edit")
    assert 'value="2030-03-01T08:00"' in html and 'value="2030-03-31T18:30"' in html


@pytest.mark.parametrize(
    ("kind", "changes", "message"),
    [
        ("policy", {"title": ""}, "请填写政策名称"),
        ("policy", {"title": "长" * 61}, "不能超过 60 个字"),
        ("policy", {"deadline": "2030-02-30"}, "日期"),
        ("policy", {"valid_from": "2030-05-02T10:00", "valid_until": "2030-05-01T10:00"},
         "下线时间必须晚于上线时间"),
        ("service", {"steps": "\n \n"}, "请至少填写一个办理步骤"),
        ("produce", {"price": "四块五"}, "价格请填写数字"),
        ("produce", {"phone": "call me"}, "电话格式不正确"),
        ("produce", {"product": ""}, "请填写产品名称"),
        ("notice", {"category": "小道消息"}, "选择"),
        ("notice", {"body": ""}, "请填写正文"),
    ],
)
def test_malformed_forms_give_chinese_errors_and_change_nothing(app, login, kind, changes,
                                                               message):
    editor = login("editor")
    before = counts(app)
    response = editor.post(f"/content/{kind}/new", form_of(kind, **changes, save="1"))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts(app) == before


def _field_block(html: str, name: str) -> str:
    """The form's block for field ``name``: its label, input, help and errors."""
    return next(block for block in html.split('<div class="field')
                if f'for="{name}"' in block)


@pytest.mark.parametrize(
    ("kind", "field", "value", "message"),
    [
        ("produce", "phone", "123", "电话格式不正确"),
        ("produce", "phone", "1390917", "电话格式不正确"),
        ("produce", "phone", "12345", "电话格式不正确"),  # a hotline, not a seller's phone
        ("policy", "contact", "乡农业服务中心 1390917", "“1390917”不是有效的电话号码"),
        ("service", "contact", "咨询 0991-12345", "“0991-12345”不是有效的电话号码"),
    ],
)
def test_phone_numbers_that_cannot_be_dialled_are_refused_next_to_the_field(
        app, login, kind, field, value, message):
    editor = login("editor")
    before = counts(app)
    response = editor.post(f"/content/{kind}/new", form_of(kind, **{field: value}, save="1"))
    assert response.status_code == 400
    block = _field_block(response.get_data(as_text=True), field)
    assert "has-error" in block and message in block
    assert counts(app) == before


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("produce", "phone", "0991-1234567"),
        ("produce", "phone", "138 1234 5678"),
        ("produce", "phone", "400-123-4567"),
        ("policy", "contact", "乡农业服务中心 0991-1234567"),
        ("policy", "contact", "12316"),
        ("service", "contact", "12345 或 0991-1234567转801"),
        ("service", "contact", "乡民政办"),
    ],
)
def test_numbers_that_can_be_dialled_are_saved(app, login, kind, field, value):
    editor = login("editor")
    response = editor.post(f"/content/{kind}/new", form_of(kind, **{field: value}, save="1"))
    assert response.status_code == 302
    assert _latest(app, _only_item_id(app))[0][field] == value


def test_editing_a_draft_changes_it_in_place_and_audits_the_diff(app, login, make_item):
    item_id = make_item("policy")
    editor = login("editor")
    response = editor.post(f"/content/policy/{item_id}/edit",
                           form_of("policy", amount="每亩 110 元", save="1"))
    assert response.status_code == 302
    data, *_ = _latest(app, item_id)
    assert data["amount"] == "每亩 110 元"
    assert item_state(app, item_id)[:2] == (1, "draft")
    audit = untagged(login("admin").text("/audit?action=edit"))
    assert "每亩 105.6 元" in audit and "每亩 110 元" in audit
    assert "补贴对象" not in audit  # only the changed fields are listed


def test_editing_approved_content_makes_a_new_version_while_the_old_stays_on_air(
        app, login, make_item):
    item_id = make_item("policy", state="live")
    editor = login("editor")
    form = editor.text(f"/content/policy/{item_id}/edit")
    assert "生成新版本 v2" in form
    response = editor.post(f"/content/policy/{item_id}/edit",
                           form_of("policy", amount="每亩 120 元", save_submit="1"))
    assert response.status_code == 302
    assert item_state(app, item_id) == (2, "pending", 1, False)
    page = editor.text(f"/content/policy/{item_id}")
    assert "线上版本 v1" in page and "待审核 v2" in page
    assert "电视上正在播出 v1" in page
    listing = editor.text("/content/policy")
    assert "线上版本 v1" in listing and "播出中" in listing


def test_version_history_shows_a_character_diff(app, login, make_item):
    item_id = make_item("policy", state="live")
    editor = login("editor")
    editor.post(f"/content/policy/{item_id}/edit", form_of("policy", amount="每亩 120 元",
                                                           save="1"))
    html = editor.text(f"/content/policy/{item_id}/versions/2")
    assert "<del>" in html and "<ins>" in html
    assert "每亩 105.6 元" in untagged(html) and "每亩 120 元" in untagged(html)
    assert "补贴标准" in html  # field labels, not JSON keys
    only = editor.text(f"/content/policy/{item_id}/versions/1")
    assert "耕地地力保护补贴" in only
    assert editor.get(f"/content/policy/{item_id}/versions/9").status_code == 404
    assert editor.get(f"/content/policy/{item_id}/versions/2?against=x").status_code == 200


def test_withdraw_takes_an_item_off_and_blocks_editing(app, login, make_item):
    item_id = make_item("notice", state="live")
    editor = login("editor")
    response = editor.post(f"/content/notice/{item_id}/withdraw")
    assert response.status_code == 303
    assert item_state(app, item_id)[3] is True
    page = editor.text(f"/content/notice/{item_id}")
    assert "已撤回" in page and "播出中" not in page
    assert editor.get(f"/content/notice/{item_id}/edit").status_code == 302
    before = counts(app)
    editor.post(f"/content/notice/{item_id}/edit", form_of("notice", save="1"))
    editor.post(f"/content/notice/{item_id}/withdraw")
    assert counts(app) == before


def test_list_search_and_filters(app, login, make_item):
    make_item("policy", state="live")
    make_item("policy", {**POLICY, "title": "雨露计划职业教育补助", "category": "教育帮扶",
                         "body": "每生每学期 1500 元"}, state="pending")
    make_item("policy", {**POLICY, "title": "农机购置补贴", "category": "农机补贴"})
    editor = login("editor")

    def titles(query: str) -> set[str]:
        html = editor.text(f"/content/policy?{query}")
        return {t for t in ("耕地地力保护补贴", "雨露计划职业教育补助", "农机购置补贴")
                if f">{t}</a>" in html}

    assert titles("") == {"耕地地力保护补贴", "雨露计划职业教育补助", "农机购置补贴"}
    assert titles("q=1500") == {"雨露计划职业教育补助"}  # body text, not only titles
    assert titles("q=农机") == {"农机购置补贴"}
    assert titles("state=pending") == {"雨露计划职业教育补助"}
    assert titles("state=draft") == {"农机购置补贴"}
    assert titles("on_air=yes") == {"耕地地力保护补贴"}
    assert titles("on_air=no") == {"雨露计划职业教育补助", "农机购置补贴"}
    assert titles("category=教育帮扶") == {"雨露计划职业教育补助"}
    assert titles("from=2000-01-01&to=2000-01-02") == set()
    today = datetime.now(UTC).date().isoformat()
    assert len(titles(f"from={today}")) == 3
    assert titles("state=nonsense&on_air=maybe&from=garbage&page=-3") == titles("")


def test_other_kinds_do_not_show_in_a_list(app, login, make_item):
    make_item("notice")
    html = login("editor").text("/content/policy")
    assert "汛期" not in html and "还没有内容" in html


def test_preview_enqueues_a_job_and_status_reports_pages(app, login, make_item):
    from publisher.extensions import db
    from publisher.models import Job, JobState

    editor = login("editor")
    response = editor.post("/content/policy/preview", form_of("policy"))
    assert response.status_code == 202
    job_id = response.get_json()["job"]
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.kind == "preview"
        assert job.payload["township_id"] == editor_township(app)
        assert job.payload["item"]["type"] == "policy"
        assert job.payload["item"]["title"] == POLICY["title"]
    status = editor.get(f"/jobs/{job_id}").get_json()
    assert status["state"] == "queued" and status["pages"] == []
    with app.app_context():
        job = db.session.get(Job, job_id)
        job.state = JobState.DONE
        job.result = {"pages": [{"key": "ab12", "duration_s": 12.5, "page_no": 1,
                                 "page_count": 2},
                                {"key": "cd34", "duration_s": 9.0, "page_no": 2,
                                 "page_count": 2}]}
        db.session.commit()
    status = editor.get(f"/jobs/{job_id}").get_json()
    assert status["state"] == "done"
    assert [p["url"] for p in status["pages"]] == ["/render/ab12.png", "/render/cd34.png"]
    assert status["pages"][0]["duration_s"] == 12.5


def test_preview_of_a_stored_item_and_of_an_invalid_form(app, login, make_item):
    item_id = make_item("service")
    editor = login("editor")
    response = editor.post(f"/content/service/{item_id}/preview")
    assert response.status_code == 202
    bad = editor.post("/content/service/preview", form_of("service", title=""))
    assert bad.status_code == 400
    assert "请填写事项名称" in str(bad.get_json()["fields"])


def editor_township(app) -> int:  # noqa: ANN001
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import User

    with app.app_context():
        return db.session.scalar(select(User.township_id).where(User.username == "editor"))


def test_missing_glyphs_are_flagged_on_save(app, login, monkeypatch):
    import renderer.fonts

    monkeypatch.setattr(renderer.fonts, "missing_glyphs",
                        lambda text: {"𠮷"} if "𠮷" in text else set())
    editor = login("editor")
    response = editor.post("/content/notice/new", form_of("notice", body="𠮷村通知", save="1"),
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "无法显示" in html and "𠮷" in html
    assert _latest(app, _only_item_id(app))[0]["body"] == "𠮷村通知"  # saved anyway


def test_county_admin_picks_a_township_before_creating(app, login, office):
    county = login("county")
    picker = county.text("/content/produce/new")
    assert "选择乡镇" in picker and "石门镇" in picker
    assert county.post(f"/content/produce/new?township={office.b}",
                       form_of("produce", save="1")).status_code == 302
    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        assert db.session.get(ContentItem, _only_item_id(app)).township_id == office.b

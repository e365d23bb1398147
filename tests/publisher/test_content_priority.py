"""Content priority (普通 / 重要 / 置顶): a version field, so a change goes through review."""

from __future__ import annotations

import re

import pytest

from tests.publisher import test_content_support as support
from tests.publisher import test_people_support as people
from tests.publisher.test_api import assert_error, caller, issue_tokens
from tests.publisher.test_content_support import counts, form_of, item_state

login, make_item, office = support.login, support.make_item, support.office
org = people.org


def versions(app, item_id: int) -> list[tuple[int, int, str]]:  # noqa: ANN001
    """(number, priority, state) of every version, and the live one's priority last."""
    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        item = db.session.get(ContentItem, item_id)
        return [(v.number, v.priority, v.state) for v in item.versions]


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_form_offers_three_levels_and_defaults_to_normal(login):
    page = login("editor").text("/content/notice/new")
    select = page[page.index('name="priority"'):].split("</select>", 1)[0]
    assert re.findall(r'<option (?:selected )?value="(\d+)"', select) == ["0", "5", "10"]
    assert [label.strip() for label in re.findall(r">([^<]+)</option>", select)] == [
        "普通", "重要", "置顶"]
    assert re.search(r'<option selected value="0"', select)
    assert "播出优先级" in page and "重新审核" in page


def test_editor_pins_an_item_and_lists_show_it(app, login):
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import AuditEvent, ContentItem

    editor = login("editor")
    response = editor.post("/content/notice/new", form_of("notice", priority="10", save="1"))
    assert response.status_code == 302
    with app.app_context():
        item_id = db.session.scalars(select(ContentItem.id)).one()
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "create")).one()
        assert event.after["priority"] == 10
    assert versions(app, item_id) == [(1, 10, "draft")]
    listing = editor.text("/content/notice")
    assert re.search(r'class="badge priority priority-10"[^>]*>置顶</span>', listing)
    detail = plain(editor.text(f"/content/notice/{item_id}"))
    assert "播出优先级 置顶" in detail


def test_normal_items_carry_no_badge(login, make_item):
    make_item("notice")
    assert "badge priority" not in login("editor").text("/content/notice")


def test_raising_priority_of_approved_content_needs_review(app, login, make_item):
    item_id = make_item("policy", state="live")
    editor = login("editor")
    form = editor.text(f"/content/policy/{item_id}/edit")
    assert re.search(r'<option selected value="0"', form)
    response = editor.post(f"/content/policy/{item_id}/edit",
                           form_of("policy", priority="5", save_submit="1"))
    assert response.status_code == 302
    assert item_state(app, item_id) == (2, "pending", 1, False)
    assert versions(app, item_id) == [(1, 0, "approved"), (2, 5, "pending")]
    detail = plain(editor.text(f"/content/policy/{item_id}"))
    assert "重要" in detail and "线上版本 v1：普通" in detail
    review = plain(login("reviewer").text(f"/review/{item_id}"))
    assert "播出优先级" in review and "普通" in review and "重要" in review
    diff = plain(editor.text(f"/content/policy/{item_id}/versions/2"))
    assert "播出优先级 普通 重要" in diff
    audit = plain(login("admin").text("/audit?action=edit"))
    assert "播出优先级 普通 重要" in audit


def test_editing_keeps_the_chosen_priority(app, login, make_item):
    item_id = make_item("service")
    editor = login("editor")
    editor.post(f"/content/service/{item_id}/edit", form_of("service", priority="10", save="1"))
    form = editor.text(f"/content/service/{item_id}/edit")
    assert re.search(r'<option selected value="10"', form)


@pytest.mark.parametrize("priority", ["7", "high", "-5"])
def test_a_forged_priority_is_refused_and_nothing_saved(app, login, priority):
    before = counts(app)
    response = login("editor").post("/content/notice/new",
                                    form_of("notice", priority=priority, save="1"))
    assert response.status_code == 400
    errors = re.findall(r'<p class="error">([^<]*)</p>', response.get_data(as_text=True))
    assert errors and all("选择" in e for e in errors)  # WTForms' own message, in Chinese
    assert counts(app) == before


def test_the_service_checks_priority_whatever_the_door(app, office):
    from publisher.extensions import db
    from publisher.models import Township, User
    from publisher.services import content
    from publisher.services.errors import FieldError

    with app.app_context():
        editor = db.session.get(User, office.editor)
        township = db.session.get(Township, office.a)
        for bad in (7, True, "x", None, 5.0):
            with pytest.raises(FieldError) as caught:
                content.create_item(editor, township, "notice", dict(support.NOTICE),
                                    priority=bad)
            assert caught.value.field == "priority" and "置顶" in str(caught.value)
        item = content.create_item(editor, township, "notice", dict(support.NOTICE),
                                   priority="5")
        assert item.latest.priority == 5


# ---- the API -----------------------------------------------------------------------------


def test_api_reads_writes_and_keeps_priority(app, org):
    api = caller(app, issue_tokens(app))
    body = {"title": "汛期安全通知", "body": "请各村加强巡查。", "category": "通知公告"}
    created = api("POST", "/api/v1/notices", "editor_a", {**body, "priority": 10})
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert item["priority"] == 10 and "priority" not in versions_data(app, item["id"])
    edited = api("PUT", f"/api/v1/notices/{item['id']}", "editor_a", {**body, "title": "改"})
    assert edited.get_json()["priority"] == 10  # not sent: unchanged
    lowered = api("PUT", f"/api/v1/notices/{item['id']}", "editor_a", {**body, "priority": 0})
    assert lowered.get_json()["priority"] == 0
    error = assert_error(api("POST", "/api/v1/notices", "editor_a", {**body, "priority": 3}),
                         400, "validation_error")
    assert error["field"] == "priority"


def versions_data(app, item_id: int) -> dict:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        return dict(db.session.get(ContentItem, item_id).latest.data)


def test_api_spec_documents_priority(client):
    spec = client.get("/api/openapi.json").get_json()
    schema = spec["components"]["schemas"]["NoticeItem"]
    assert schema["properties"]["priority"]["enum"] == [0, 5, 10]


def test_the_reviewer_sees_the_priority_of_a_first_version(login, make_item):
    item_id = make_item("notice", state="pending", priority=10)
    page = plain(login("reviewer").text(f"/review/{item_id}"))
    assert "播出优先级 置顶" in page

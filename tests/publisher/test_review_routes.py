"""The review workflow through the web: queue, approve, reject, self-approval, render state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.publisher import test_content_support as support
from tests.publisher.test_content_support import POLICY, counts, form_of, item_state, mark_live

# Fixtures shared by the content tests (pytest finds them as module attributes).
login, make_item, office = support.login, support.make_item, support.office


def _set_submitted(app, item_id: int, minutes_ago: int) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        item = db.session.get(ContentItem, item_id)
        item.latest.submitted_at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        db.session.commit()


def test_queue_lists_pending_items_of_my_township_oldest_first(app, login, make_item, office):
    newer = make_item("policy", {**POLICY, "title": "较新提交的政策"}, state="pending")
    older = make_item("notice", state="pending")
    make_item("policy", {**POLICY, "title": "还是草稿"})
    make_item("policy", {**POLICY, "title": "别的乡镇的政策"}, state="pending",
              township_id=office.b)
    _set_submitted(app, newer, 5)
    _set_submitted(app, older, 50)
    html = login("reviewer").text("/review")
    assert html.index("关于做好汛期安全防范工作的通知") < html.index("较新提交的政策")
    assert "还是草稿" not in html and "别的乡镇的政策" not in html
    dashboard = login("reviewer").text("/")
    assert '审核队列 <span class="count">2</span>' in dashboard


def test_reviewer_approves_and_the_item_waits_for_rendering(app, login, make_item):
    item_id = make_item("policy", state="pending")
    reviewer = login("reviewer")
    page = reviewer.text(f"/review/{item_id}")
    assert "审核通过" in page and "退回修改" in page
    response = reviewer.post(f"/review/{item_id}/approve", {"note": "同意"})
    assert response.status_code == 303 and response.headers["Location"] == "/review"
    assert item_state(app, item_id) == (1, "approved", None, False)
    detail = reviewer.text(f"/content/policy/{item_id}")
    assert "已通过" in detail and "排队渲染" in detail and "同意" in detail
    assert "耕地地力保护补贴" not in reviewer.text("/review").split("<main")[1].split("</h1>")[1]


def test_reject_needs_a_reason_and_the_editor_sees_it(app, login, make_item):
    item_id = make_item("produce", state="pending")
    reviewer = login("reviewer")
    before = counts(app)
    response = reviewer.post(f"/review/{item_id}/reject", {"reason": "   "})
    assert response.status_code == 400
    assert "退回时必须填写原因" in response.get_data(as_text=True)
    assert counts(app) == before and item_state(app, item_id)[1] == "pending"
    response = reviewer.post(f"/review/{item_id}/reject", {"reason": "价格请写清是每斤还是每公斤"})
    assert response.status_code == 303
    assert item_state(app, item_id)[1] == "rejected"
    editor = login("editor")
    assert "价格请写清是每斤还是每公斤" in editor.text(f"/content/produce/{item_id}")
    assert "价格请写清是每斤还是每公斤" in editor.text("/content/produce")
    # The editor fixes it and sends it back: the same version goes to review again.
    assert editor.post(f"/content/produce/{item_id}/edit",
                       form_of("produce", price="1.5", save_submit="1")).status_code == 302
    assert item_state(app, item_id)[:2] == (1, "pending")


def test_approving_a_new_version_keeps_the_old_one_on_air_until_rendered(app, login, make_item):
    item_id = make_item("policy", state="live")
    editor, reviewer = login("editor"), login("reviewer")
    editor.post(f"/content/policy/{item_id}/edit", form_of("policy", amount="每亩 120 元",
                                                           save_submit="1"))
    review = reviewer.text(f"/review/{item_id}")
    assert "与线上版本 v1 相比的改动" in review
    reviewer.post(f"/review/{item_id}/approve")
    assert item_state(app, item_id) == (2, "approved", 1, False)
    detail = editor.text(f"/content/policy/{item_id}")
    assert "线上版本 v1" in detail and "已通过 v2" in detail and "排队渲染" in detail
    with app.app_context():
        mark_live(item_id)
    assert item_state(app, item_id) == (2, "approved", 2, False)
    detail = editor.text(f"/content/policy/{item_id}")
    assert "线上版本 v1" not in detail and "已被替换" in detail


def test_rejecting_a_new_version_leaves_the_approved_one_on_air(app, login, make_item):
    item_id = make_item("notice", state="live")
    login("editor").post(f"/content/notice/{item_id}/edit",
                         form_of("notice", body="改过的正文", save_submit="1"))
    login("reviewer").post(f"/review/{item_id}/reject", {"reason": "不要改"})
    assert item_state(app, item_id) == (2, "rejected", 1, False)
    listing = login("editor").text("/content/notice?on_air=yes")
    assert "关于做好汛期安全防范工作的通知" in listing


def test_self_approval_follows_the_township_setting(app, login, make_item, office):
    item_id = make_item("policy", state="pending", author=office.admin)
    admin = login("admin")
    assert "本乡镇不允许审核自己提交的内容" in admin.text(f"/review/{item_id}")
    admin.post(f"/review/{item_id}/approve")
    assert item_state(app, item_id)[1] == "pending"

    settings = admin.text("/settings")
    assert "允许审核自己提交的内容" in settings
    response = admin.post("/settings", {"self_approval": "y", "checkin_deadline_hour": "10",
                                        "duty_phone": "0917-6281110"})
    assert response.status_code == 303
    admin.post(f"/review/{item_id}/approve")
    assert item_state(app, item_id)[1] == "approved"
    log = admin.text("/audit?action=settings")
    assert "允许审核自己提交的内容" in log


def test_settings_are_for_admins_and_validate_input(app, login, office):
    assert login("editor").get("/settings").status_code == 403
    assert login("reviewer").post("/settings", {"self_approval": "y"}).status_code == 403
    admin = login("admin")
    response = admin.post("/settings", {"checkin_deadline_hour": "99", "duty_phone": "x"})
    assert response.status_code == 400
    assert "电话格式不正确" in response.get_data(as_text=True)
    # A number a digit short is refused too: escalation calls it when nobody answers.
    response = admin.post("/settings", {"checkin_deadline_hour": "9", "duty_phone": "1390917"})
    assert response.status_code == 400
    assert "电话格式不正确" in response.get_data(as_text=True)
    from publisher.extensions import db
    from publisher.models import Township

    with app.app_context():
        township = db.session.get(Township, office.a)
        assert (township.self_approval, township.checkin_deadline_hour) == (False, 9)
    county = login("county")
    assert "石门镇" in county.text("/settings")
    assert county.post(f"/settings?township={office.b}",
                       {"self_approval": "y", "checkin_deadline_hour": "8"}).status_code == 303
    with app.app_context():
        assert db.session.get(Township, office.b).self_approval is True


def test_roles_editor_cannot_review_and_reviewer_cannot_edit(app, login, make_item):
    item_id = make_item("policy", state="pending")
    editor, reviewer = login("editor"), login("reviewer")
    assert editor.post(f"/review/{item_id}/approve").status_code == 403
    assert editor.post(f"/review/{item_id}/reject", {"reason": "x"}).status_code == 403
    assert "只有审核人可以审核内容" in editor.text(f"/review/{item_id}")
    assert reviewer.get("/content/policy/new").status_code == 403
    assert reviewer.get(f"/content/policy/{item_id}/edit").status_code == 403
    assert reviewer.post(f"/content/policy/{item_id}/submit").status_code == 403
    assert item_state(app, item_id)[1] == "pending"


def test_approving_twice_or_a_withdrawn_item_is_refused(app, login, make_item):
    item_id = make_item("policy", state="pending")
    reviewer = login("reviewer")
    reviewer.post(f"/review/{item_id}/approve")
    response = reviewer.post(f"/review/{item_id}/approve", follow_redirects=True)
    assert "不在待审核状态" in response.get_data(as_text=True)
    other = make_item("notice", state="pending")
    login("editor").post(f"/content/notice/{other}/withdraw")
    before = counts(app)
    response = reviewer.post(f"/review/{other}/approve", follow_redirects=True)
    assert "已撤回" in response.get_data(as_text=True)
    assert counts(app) == before and item_state(app, other)[1] == "pending"


def test_a_failed_render_is_shown_with_its_error(app, login, make_item):
    from publisher.extensions import db
    from publisher.models import ContentItem, RenderState

    item_id = make_item("service", state="approved")
    with app.app_context():
        version = db.session.get(ContentItem, item_id).latest
        version.render_state, version.render_error = RenderState.FAILED, "字体文件缺失"
        db.session.commit()
    html = login("editor").text(f"/content/service/{item_id}")
    assert "渲染失败" in html and "字体文件缺失" in html

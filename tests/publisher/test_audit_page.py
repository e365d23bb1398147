"""The audit log page: filters, before/after diffs, and no way to change it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.publisher import test_content_support as support
from tests.publisher.test_content_support import form_of

# Fixtures shared by the content tests (pytest finds them as module attributes).
login, make_item, office = support.login, support.make_item, support.office


def _rows(html: str) -> list[str]:
    body = html.split('<table class="list audit">', 1)[-1].split("</table>\n{{", 1)[0]
    return re.findall(r'<span class="badge action-([a-z_]+)">', body)


@pytest.fixture
def history(app, login, make_item, office):  # noqa: ANN001, ANN201, F811
    """Some activity: editor creates and submits, reviewer rejects, editor2 creates a notice."""
    item_id = make_item("policy", state="rejected")
    login("editor2").post("/content/notice/new", form_of("notice", save="1"))
    return item_id


def test_audit_lists_every_step_newest_first(login, history):
    html = login("admin").text("/audit")
    actions = _rows(html)
    assert actions[:4] == ["login", "create", "login", "reject"]  # admin, editor2, …
    assert {"create", "submit", "reject", "login"} <= set(actions)
    assert "金额写错了" in html  # the reject reason is part of the record


def test_filters_by_user_action_type_and_date(app, login, history, office):
    admin = login("admin")
    assert set(_rows(admin.text(f"/audit?user={office.editor2}"))) == {"login", "create"}
    assert _rows(admin.text("/audit?action=reject")) == ["reject"]
    by_type = admin.text("/audit?type=notice")
    assert _rows(by_type) == ["create"] and "汛期" in by_type
    today = datetime.now(UTC).astimezone().date()
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    assert _rows(admin.text(f"/audit?from={tomorrow}")) == []
    yesterday = (today - timedelta(days=2)).isoformat()
    assert len(_rows(admin.text(f"/audit?from={yesterday}&to={tomorrow}"))) >= 5
    combined = admin.text(f"/audit?user={office.editor}&action=create&type=policy")
    assert _rows(combined) == ["create"]


def test_create_and_edit_show_what_changed(app, login, history):
    editor = login("editor")
    editor.post(f"/content/policy/{history}/edit", form_of("policy", contact="0917-9999999",
                                                           save="1"))
    html = login("admin").text("/audit?action=edit")
    plain = re.sub(r"</?(?:del|ins)>", "", html)
    assert "咨询电话" in plain and "0917-6281123" in plain and "0917-9999999" in plain
    create = login("admin").text("/audit?action=create&type=policy")
    assert "补贴标准" in create and "每亩 105.6 元" in create
    # The diff names fields as the policy form does, not with the generic labels.
    assert '<th class="k">政策名称</th>' in create
    assert '<th class="k">标题</th>' not in create


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_there_is_no_way_to_change_the_log(login, history, method):
    admin = login("admin")
    response = admin.client.open("/audit", method=method, data={"csrf_token": admin.csrf})
    assert response.status_code == 405
    for url in ("/audit/1", "/audit/1/delete", "/audit/1/edit"):
        assert admin.client.open(url, method=method,
                                 data={"csrf_token": admin.csrf}).status_code in (404, 405)


def test_editors_and_reviewers_may_read_it_cadres_not(login, history):
    assert login("editor").get("/audit").status_code == 200
    assert login("reviewer").get("/audit").status_code == 200
    assert login("cadre").get("/audit").headers["Location"].endswith("/checkin")

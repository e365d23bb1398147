"""Item, version and review pages label fields as each kind's form does, notes included."""

from __future__ import annotations

import re

import pytest

from tests.publisher import test_content_support as support
from tests.publisher.test_content_support import POLICY, form_of

login, make_item, office = support.login, support.make_item, support.office

# The labels the forms of these kinds give fields that other kinds call 标题, 类别, 正文.
FORM_LABELS = {
    "policy": ["政策名称", "政策类别", "政策说明"],
    "service": ["事项名称"],
}
GENERIC = ("标题", "类别", "正文")


def labels_of(html: str, tag: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m).strip()
            for m in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", html, re.S)]


def test_policy_form_itself_uses_the_policy_labels(login):
    form = login("editor").text("/content/policy/new")
    assert all(label in form for label in FORM_LABELS["policy"])


@pytest.mark.parametrize("kind", ["policy", "service"])
def test_item_page_uses_the_forms_labels(login, make_item, kind):
    item_id = make_item(kind)
    page = login("editor").text(f"/content/{kind}/{item_id}")
    shown = labels_of(page, "dt")
    for label in FORM_LABELS[kind]:
        assert label in shown, (label, shown)
    assert not set(GENERIC) & set(shown), shown


def test_notice_keeps_its_own_labels(login, make_item):
    item_id = make_item("notice")
    shown = labels_of(login("editor").text(f"/content/notice/{item_id}"), "dt")
    assert {"标题", "类别", "正文"} <= set(shown)  # the notice form's own words


def test_version_diff_uses_the_forms_labels(login, make_item):
    item_id = make_item("policy", state="approved")
    editor = login("editor")
    editor.post(f"/content/policy/{item_id}/edit",
                form_of("policy", title="耕地地力保护补贴（修订）", body="新的说明", save="1"))
    page = editor.text(f"/content/policy/{item_id}/versions/2")
    shown = labels_of(page, "th")
    assert "政策名称" in shown and "政策说明" in shown and "政策类别" in shown
    assert not set(GENERIC) & set(shown), shown


def test_review_page_uses_the_forms_labels(login, make_item):
    draft = make_item("policy", state="pending")
    reviewer = login("reviewer")
    shown = labels_of(reviewer.text(f"/review/{draft}"), "dt")
    assert "政策名称" in shown and "标题" not in shown
    live = make_item("policy", {**POLICY, "title": "第二条政策"}, state="live")
    login("editor").post(f"/content/policy/{live}/edit",
                         form_of("policy", title="第二条政策（修订）", save_submit="1"))
    shown = labels_of(reviewer.text(f"/review/{live}"), "th")
    assert "政策名称" in shown and "标题" not in shown


def test_review_note_is_labelled_in_the_history(login, make_item):
    item_id = make_item("policy", state="pending")
    response = login("reviewer").post(f"/review/{item_id}/approve", {"note": "演示数据"})
    assert response.status_code in (302, 303)
    editor = login("editor")
    for url in (f"/content/policy/{item_id}", f"/content/policy/{item_id}/versions/1"):
        text = re.sub(r"<[^>]+>", "", editor.text(url))
        assert "审核意见：演示数据" in text, url
        assert "“演示数据”" not in text, url


def test_rejection_reason_is_labelled_as_such(login, make_item):
    item_id = make_item("policy", state="rejected")
    text = re.sub(r"<[^>]+>", "", login("editor").text(f"/content/policy/{item_id}"))
    history = text[text.index("版本记录"):]
    assert "退回原因：金额写错了" in history

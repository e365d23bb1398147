"""End to end in Chromium: an editor writes a policy and submits it, a reviewer approves it."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.browser


def test_editor_submits_a_policy_and_reviewer_approves_it(live_server, browser, page, township,
                                                          make_user):
    make_user("wang", "editor", township)
    make_user("chen", "reviewer", township)

    # The editor writes the policy and sends it to review in one go.
    login(page, live_server, "wang")
    page.click("nav.mainnav >> text=惠农政策")
    page.click("text=＋ 新建")
    page.fill("#title", "雨露计划职业教育补助")
    page.fill("#category", "教育帮扶")
    page.fill("#amount", "每生每学期 1500 元")
    page.fill("#eligibility", "脱贫家庭子女就读中职、高职院校")
    page.fill("#deadline", "2030-09-30")
    page.fill("#body", "每个学期都要申请一次。")
    page.click("text=保存并提交审核")
    page.wait_for_url(re.compile(r"/content/policy/\d+$"))
    assert "已提交审核" in page.text_content(".flash")
    assert page.locator(".status-line .badge", has_text="待审核").count() == 1
    item_url = page.url

    # The reviewer finds it in the queue and approves it.
    reviewer = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    rpage = reviewer.new_page()
    try:
        login(rpage, live_server, "chen")
        assert rpage.locator(".stats .stat").nth(1).text_content() == "1"  # pending count
        rpage.click("nav.mainnav >> text=审核")
        rpage.click("table.list >> text=雨露计划职业教育补助")
        rpage.fill("#note", "同意播出")
        rpage.click("input[value=审核通过]")
        rpage.wait_for_url(re.compile(r"/review$"))
        assert "已审核通过" in rpage.text_content(".flash")
        assert "没有等待审核的内容" in rpage.text_content("main")
    finally:
        reviewer.close()

    # Back with the editor: the item shows as approved, waiting for the renderer.
    page.goto(item_url)
    badges = page.locator(".status-line .badge").all_text_contents()
    assert "已通过" in badges and "排队渲染" in badges
    assert "同意播出" in page.text_content("table.versions")


def test_reviewer_must_give_a_reason_to_reject(live_server, page, township, make_user, app):
    from publisher.extensions import db
    from publisher.models import ContentItem, Township, User
    from publisher.services import content

    editor_id = make_user("wang", "editor", township)
    make_user("chen", "reviewer", township)
    with app.app_context():
        editor = db.session.get(User, editor_id)
        item = content.create_item(editor, db.session.get(Township, township), "notice",
                                   {"title": "停水通知", "body": "明天上午停水。"})
        content.submit(editor, item)
        item_id = item.id
    login(page, live_server, "chen")
    page.goto(f"{live_server}/review/{item_id}")
    page.click("input[value=退回修改]")
    assert "退回时必须填写原因" in page.text_content(".decision.reject")
    page.fill("#reason", "请写明停水时间段")
    page.click("input[value=退回修改]")
    page.wait_for_url(re.compile(r"/review$"))
    with app.app_context():
        version = db.session.get(ContentItem, item_id).latest
        assert (version.state, version.review_note) == ("rejected", "请写明停水时间段")

"""Issuing or withdrawing a public alert takes the channel: the browser asks first, and
cancelling changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import login
from tests.publisher import test_people_support as support

org = support.org  # a fixture: pytest finds it as a module attribute

pytestmark = pytest.mark.browser


def _alerts(app) -> int:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        return db.session.query(ContentItem).filter_by(kind="alert").count()


def test_issuing_an_alert_asks_and_cancel_issues_nothing(app, live_server, page, org):
    login(page, live_server, "admin_a")
    page.goto(f"{live_server}/emergency/alerts")
    page.fill("#title", "暴雨红色预警")
    page.fill("#body", "请村民远离河道，转移到安置点。")
    page.fill("#issued_by", "监山乡人民政府")
    tomorrow = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)  # at most 7 days
    page.fill("#expires", tomorrow.strftime("%Y-%m-%dT%H:%M"))
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.get_by_role("button", name="发布").click()
    page.wait_for_timeout(500)
    assert asked and asked[0].startswith("确定发布这条紧急通知")
    assert _alerts(app) == 0
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    page.get_by_role("button", name="发布").click()
    page.wait_for_url("**/emergency/alerts")
    page.wait_for_function("() => !!document.querySelector('.badge.live')")
    assert _alerts(app) == 1
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.get_by_role("button", name="解除").click()
    page.wait_for_timeout(500)
    assert "确定解除紧急通知“暴雨红色预警”" in asked[-1]
    assert "生效中" in page.text_content("main")

"""An administrator edits a channel's schedule in Chromium and watches the shares follow.

Screenshots land in ``$VILLAGECAST_SHOTS`` (default /tmp/shots-schedule) for a person to see.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from publisher.services.schedule import DEFAULT_CATEGORIES
from tests.e2e.conftest import login
from tests.publisher import test_people_support as support

org = support.org  # a fixture: pytest finds it as a module attribute

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("VILLAGECAST_SHOTS", "/tmp/shots-schedule"))


def shot(page, name: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def share(page, category: str) -> str:  # noqa: ANN001
    return page.text_content(f"#share-{category}").strip()


def test_admin_edits_a_schedule_and_sees_the_share_update(live_server, page, org):
    login(page, live_server, "admin_a")
    page.goto(f"{live_server}/org/channels")
    page.get_by_role("link", name="节目编排").click()
    page.wait_for_url(f"**/org/channels/{org.a_channel}/schedule")
    total = sum(rule.weight for rule in DEFAULT_CATEGORIES.values())
    assert share(page, "policy") == f"{100 * 3 / total:.1f}%"  # 3 of 3+2+2+2, 1 for the rest
    assert share(page, "video") == share(page, "roster")  # video has its row
    shot(page, "schedule-default")
    # The arithmetic below counts the four reviewed kinds and the two boards: others off.
    for cat in DEFAULT_CATEGORIES:
        if cat not in ("policy", "service", "produce", "notice", "roster", "whereabouts"):
            page.fill(f"#f-weight-{cat}", "0")

    # The share column follows the weights before anything is saved.
    page.fill("#f-weight-policy", "6")
    page.wait_for_function("() => document.querySelector('#share-policy').textContent.trim()"
                           " === '42.9%'")
    page.fill("#f-weight-produce", "0")
    page.wait_for_function("() => document.querySelector('#share-produce').textContent.trim()"
                           " === '0%'")
    assert "off" in page.get_attribute('tr[data-category="produce"]', "class")

    # Notices only on weekday evenings: Monday to Friday, 18:00 to 22:00, 20 of the week's
    # 168 hours, shared 2:6:2:1:1 with policy, service, roster and the whereabouts board.
    row = page.locator('tr[data-category="notice"]')
    for day in ("周一", "周二", "周三", "周四", "周五"):
        row.get_by_label(day).first.check()
    row.locator('input[name="dp-notice-0-start"]').fill("18:00")
    row.locator('input[name="dp-notice-0-end"]').fill("22:00")
    page.wait_for_function("() => document.querySelector('#share-notice').textContent.trim()"
                           " === '2%'")
    # A second window for the weekend, added with the button.
    assert row.locator("tr.daypart:visible").count() == 1
    row.get_by_role("button", name="添加时段").click()
    assert row.locator("tr.daypart:visible").count() == 2
    for day in ("周六", "周日"):
        row.locator("tr.daypart").nth(1).get_by_label(day).check()
    row.locator('input[name="dp-notice-1-start"]').fill("09:00")
    row.locator('input[name="dp-notice-1-end"]').fill("09:00")  # a mistake: same as start
    shot(page, "schedule-edited")
    page.get_by_role("button", name="保存编排").click()
    assert "不能和开始时间相同" in page.text_content("#e-dp-notice-1-end")
    assert share(page, "policy") == "—"  # no guessing from a form that does not clean
    shot(page, "schedule-error")

    row = page.locator('tr[data-category="notice"]')
    row.locator('input[name="dp-notice-1-end"]').fill("12:00")
    page.get_by_role("button", name="保存编排").click()
    assert "已保存“监山乡村频道”的节目编排" in page.text_content("[role=alert]")
    assert (share(page, "policy"), share(page, "notice"), share(page, "produce")) == (
        "58.5%", "2.6%", "0%")
    assert page.input_value("#f-weight-policy") == "6"
    assert page.input_value('input[name="dp-notice-1-start"]') == "09:00"
    shot(page, "schedule-saved")

    # The channel page sums the schedule up.
    page.goto(f"{live_server}/channel")
    summary = page.text_content("#schedule-summary")
    assert "58.5%" in summary and "周一至周五 18:00–22:00；周六、周日 09:00–12:00" in summary
    shot(page, "channel-page")

"""A cadre checks in from a phone with two taps; staff see it on the whereabouts board."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import login
from tests.publisher import test_people_support as support

org = support.org  # a fixture: pytest finds it as a module attribute

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("VILLAGECAST_SHOTS", "/tmp/shots-people"))
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN"}


@pytest.fixture
def phone(browser):  # noqa: ANN001, ANN201
    context = browser.new_context(**PHONE)
    try:
        yield context.new_page()
    finally:
        context.close()


def _no_sideways_scroll(page) -> None:  # noqa: ANN001
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def test_cadre_checks_in_with_two_taps_and_staff_see_it(live_server, phone, page, org):
    SHOTS.mkdir(parents=True, exist_ok=True)
    login(phone, live_server, "cadre_a")
    phone.goto(f"{live_server}/checkin")
    assert "今天还没有报告去向" in phone.text_content("#today")
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(SHOTS / "checkin-1-phone.png"), full_page=True)

    phone.get_by_role("link", name="在村走访").tap()  # tap 1
    phone.wait_for_url("**/checkin?status=*")
    own = phone.get_by_role("button", name="张家村")
    box = own.bounding_box()
    assert box["height"] >= 60 and box["width"] >= 140  # a thumb-sized target
    _no_sideways_scroll(phone)
    phone.screenshot(path=str(SHOTS / "checkin-2-villages.png"), full_page=True)

    own.tap()  # tap 2: saved
    phone.wait_for_url(f"{live_server}/checkin")
    assert "已报告：在村走访 · 张家村" in phone.text_content("[role=alert]")
    assert "在村走访 · 张家村" in phone.text_content("#today")
    phone.screenshot(path=str(SHOTS / "checkin-3-done.png"), full_page=True)

    login(page, live_server, "editor_a")
    page.goto(f"{live_server}/whereabouts")
    row = page.locator(f'tr[data-cadre="{org.cadre}"]')
    assert "在村走访" in row.text_content() and "张家村" in row.text_content()
    assert "网页" in row.text_content()
    page.screenshot(path=str(SHOTS / "whereabouts-board.png"), full_page=True)


def test_cadre_changes_the_report_with_an_activity(live_server, phone, org):
    login(phone, live_server, "cadre_a")
    phone.goto(f"{live_server}/checkin?status=外出开会")
    phone.fill("input[name=place]", "县委党校")
    phone.fill("input[name=activity]", "参加乡村振兴培训")
    phone.get_by_role("button", name="确认报告").tap()
    phone.wait_for_url(f"{live_server}/checkin")
    today = phone.text_content("#today")
    assert "外出开会 · 县委党校" in today and "参加乡村振兴培训" in today


def test_check_in_fits_a_360_pixel_screen(live_server, browser, org):
    context = browser.new_context(**{**PHONE, "viewport": {"width": 360, "height": 740}})
    try:
        small = context.new_page()
        login(small, live_server, "cadre_a")
        for path in ("/checkin", "/checkin?status=在村走访", "/checkin?status=出差"):
            small.goto(f"{live_server}{path}")
            _no_sideways_scroll(small)
        small.screenshot(path=str(SHOTS / "checkin-360.png"), full_page=True)
    finally:
        context.close()

"""The household's phone page end to end (issue 12): staff print the card, the phone opens
its link, presses the big button, a responder answers by SMS with the call's code, and the
phone shows who is coming. The engine tick and the inbound SMS run in-process."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import login
from tests.emergency import conftest as emergency
from tests.emergency.test_reply_codes import codes, reply

pytestmark = pytest.mark.browser

# The emergency tests' township, responders and call plan, and where their clock starts
# (fixtures found as attributes; ``clock`` itself is tests/conftest.py's).
world, clock_start, spool, helpers = (emergency.world, emergency.clock_start, emergency.spool,
                                      emergency.helpers)
SHOTS = Path(os.environ.get("VILLAGECAST_SHOTS", "/tmp/shots-emergency"))
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN"}


def _no_sideways_scroll(page) -> None:  # noqa: ANN001
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def _card_link(page, base: str, household: int) -> str:  # noqa: ANN001
    login(page, base, "boss")
    page.goto(f"{base}/emergency/households/{household}")
    page.get_by_role("button", name="制作手机呼救卡（二维码）").click()
    page.wait_for_selector("#card svg")
    page.locator("#card").screenshot(path=str(SHOTS / "phone-card.png"))
    return re.search(r"\S+#t=\S+", page.text_content("#card .link")).group(0)


def test_press_on_the_phone_then_see_who_acknowledged_by_sms(app, live_server, browser, page,
                                                             world, clock, helpers):
    SHOTS.mkdir(parents=True, exist_ok=True)
    app.config["PUBLIC_BASE_URL"] = live_server
    app.config["SMS_GATEWAY_NUMBER"] = "13800100500"
    link = _card_link(page, live_server, world.household)

    context = browser.new_context(**PHONE)
    try:
        phone = context.new_page()
        phone.goto(link)
        phone.wait_for_function(
            "() => document.getElementById('who').textContent.includes('王大爷')")
        assert "#t=" not in phone.url  # kept on the phone, out of the address bar
        button = phone.locator("#press").bounding_box()
        assert button["width"] >= 250 and button["height"] >= 250  # one large button
        assert phone.get_attribute("#sms", "href") == "sms:13800100500?body=%E5%91%BC%E6%95%91"
        _no_sideways_scroll(phone)
        phone.screenshot(path=str(SHOTS / "phone-390-idle.png"), full_page=True)

        phone.locator("#press").tap()
        phone.wait_for_selector("#app[data-state=triggered]")
        assert "已呼救，正在通知联系人" in phone.text_content("#status")
        assert phone.is_visible("#cancel")
        phone.screenshot(path=str(SHOTS / "phone-390-called.png"), full_page=True)

        helpers.tick(app, clock)  # the clock's escalation: the first SMS to 李四
        incident_id = 1
        (code,) = codes(app, incident_id)
        first_sms = helpers.outbound(app)[0]
        assert first_sms[0] == emergency.RELATIVE and f"回复{code}确认" in first_sms[1]
        assert "已确认由您接警" in reply(app, clock, emergency.RELATIVE, code)

        phone.wait_for_selector("#app[data-state=acknowledged]", timeout=15000)  # polling
        assert "李四 已收到您的呼救" in phone.text_content("#status")
        _no_sideways_scroll(phone)
        phone.screenshot(path=str(SHOTS / "phone-390-acknowledged.png"), full_page=True)

        small = browser.new_context(**{**PHONE, "viewport": {"width": 360, "height": 740}})
        try:
            narrow = small.new_page()
            narrow.goto(link)
            narrow.wait_for_selector("#app[data-state=acknowledged]")
            _no_sideways_scroll(narrow)
            assert narrow.locator("#press").bounding_box()["width"] <= 360
            narrow.screenshot(path=str(SHOTS / "phone-360-acknowledged.png"), full_page=True)
        finally:
            small.close()

        phone.once("dialog", lambda dialog: dialog.accept())
        phone.locator("#cancel").tap()
        phone.wait_for_selector("#app[data-state=cancelled]")
        assert helpers.state(app, incident_id) == "cancelled"
        assert any("误报" in text for number, text in helpers.outbound(app)
                   if number == emergency.RELATIVE)
    finally:
        context.close()


def test_without_a_card_the_page_says_how_to_get_one(live_server, browser):
    context = browser.new_context(**{**PHONE, "viewport": {"width": 360, "height": 740}})
    try:
        phone = context.new_page()
        phone.goto(f"{live_server}/emergency/phone/")
        assert phone.is_visible("#nocard") and phone.is_disabled("#press")
        _no_sideways_scroll(phone)
    finally:
        context.close()


def test_without_data_the_page_offers_the_sms_and_retries_the_press(app, live_server, browser,
                                                                   world, helpers):
    app.config["SMS_GATEWAY_NUMBER"] = "13800100500"
    context = browser.new_context(**PHONE)
    try:
        phone = context.new_page()
        phone.goto(f"{live_server}/emergency/phone/#t={world.token}")
        phone.wait_for_function(
            "() => document.getElementById('who').textContent.includes('王大爷')")
        context.set_offline(True)
        phone.locator("#press").tap()
        phone.wait_for_selector("#app[data-state=offline]")
        assert "没有网络，呼救没有发出" in phone.text_content("#status")
        assert phone.is_visible("#sms")
        phone.screenshot(path=str(SHOTS / "phone-390-offline.png"), full_page=True)
        context.set_offline(False)  # the page tries again with the same key: one call
        phone.wait_for_selector("#app[data-state=triggered]", timeout=15000)
        phone.wait_for_timeout(4000)  # a further retry, had one been left, would arrive now
        from publisher.extensions import db
        from publisher.models.emergency import Incident, TriggerLog

        with app.app_context():
            assert db.session.query(Incident).count() == 1
            assert {t.outcome for t in db.session.query(TriggerLog)} <= {"new", "duplicate"}
    finally:
        context.close()

"""A cadre checks in on a 390-px phone and attaches the phone's location (asked at that tap,
read once); the page says 在村 with the distance. Screenshots for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import login
from tests.publisher import test_people_support as support

org = support.org  # a fixture: pytest finds it as a module attribute

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("VILLAGECAST_SHOTS", "/tmp/shots-checkin"))


def test_check_in_with_location_on_a_phone(app, live_server, browser, org):
    from publisher.extensions import db
    from publisher.models import Village

    with app.app_context():
        village = db.session.get(Village, org.zhang)
        village.lat, village.lon = 34.2650, 108.9500
        db.session.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  locale="zh-CN", geolocation={"latitude": 34.2662,
                                                               "longitude": 108.9512,
                                                               "accuracy": 15})
    page = context.new_page()
    try:
        login(page, live_server, "cadre_a")
        page.goto(f"{live_server}/checkin")
        page.get_by_role("link", name="在村走访").click()
        page.fill("input[name=activity]", "走访脱贫监测户")
        page.check("#attach-location")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "checkin-location-choose.png"), full_page=True)
        context.grant_permissions(["geolocation"], origin=live_server)  # the user says yes
        page.get_by_role("button", name="张家村").click()
        page.wait_for_url("**/checkin")
        today = page.text_content("#today")
        assert "在村走访 · 张家村" in today and "定位：在村" in today
        assert "距村委会 0.2 公里" in today
        page.screenshot(path=str(SHOTS / "checkin-location-done.png"), full_page=True)
    finally:
        context.close()
    staff = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = staff.new_page()
    try:  # the township's schematic: the village and the cadre's dot beside it
        login(page, live_server, "editor_a")
        page.goto(f"{live_server}/whereabouts/map")
        assert page.locator("svg.checkin-map g.cadre.here").count() == 1
        assert "在村 1 人" in page.text_content(".map-legend")
        page.screenshot(path=str(SHOTS / "checkin-map.png"), full_page=True)
    finally:
        staff.close()

"""Check-in with location (#14 part 5): attached by the cadre at check-in, shown against the
village's coordinates as 在村 / 不在村 with the distance; SMS check-ins say they carry none."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from publisher.services import geo
from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import post, text_of

org = support.org  # a fixture: pytest finds it as a module attribute

ZHANG = (34.2650, 108.9500)  # the village committee of 张家村 in these tests


def test_distance_and_verdict():
    assert geo.distance_m(34.0, 108.0, 34.0, 108.0) == 0
    one_km_north = 34.0 + 1000 / 111_195
    assert geo.distance_m(34.0, 108.0, one_km_north, 108.0) == pytest.approx(1000, abs=1)
    assert geo.verdict(400, 20) == "在村" and geo.verdict(9000, 20) == "不在村"
    assert geo.verdict(3500, 800) == "在村"  # within the radius once the fix's error counts
    assert geo.verdict(400, 20_000) == "定位不准" and geo.verdict(None, 10) == ""
    assert geo.km(400) == "0.4 公里" and geo.km(12_345) == "12 公里"


@pytest.mark.parametrize(("raw", "field", "message"), [
    ({"lat": "北纬34", "lon": "108"}, "lat", "纬度不是数字"),
    ({"lat": "91", "lon": "108"}, "lat", "纬度应在 -90 到 90 之间"),
    ({"lat": "34", "lon": ""}, "lon", "经度不是数字"),
    ({"lat": "34", "lon": "108", "accuracy": "-3"}, "accuracy", "定位精度"),
    ({"lat": "nan", "lon": "108"}, "lat", "纬度"),
])
def test_bad_coordinates_get_a_clear_message(raw, field, message):
    from publisher.services.errors import FieldError

    with pytest.raises(FieldError) as caught:
        geo.clean_fix(raw)
    assert caught.value.field == field and message in str(caught.value)


def _set_village(app, org) -> None:  # noqa: ANN001
    admin = support.client_for(app, "admin_a")
    response = post(admin, f"/org/villages/{org.zhang}/edit",
                    {"name": "张家村", "kind": "村", "lat": str(ZHANG[0]), "lon": str(ZHANG[1])})
    assert response.status_code == 303


def test_village_form_takes_coordinates_and_refuses_bad_ones(app, org):
    admin = support.client_for(app, "admin_a")
    bad = post(admin, f"/org/villages/{org.zhang}/edit",
               {"name": "张家村", "kind": "村", "lat": "200", "lon": "108"})
    assert bad.status_code == 400 and "纬度应在 -90 到 90 之间" in text_of(bad)
    _set_village(app, org)
    form = text_of(admin.get(f"/org/villages/{org.zhang}/edit"))
    assert f'value="{ZHANG[0]}"' in form


@pytest.mark.parametrize(("where", "verdict"), [
    ((34.2660, 108.9510), "在村"),  # about 140 m from the committee
    ((34.3400, 108.9500), "不在村"),  # about 8 km north
])
def test_a_check_in_with_location_says_whether_the_cadre_is_in_the_village(app, org, where,
                                                                            verdict):
    _set_village(app, org)
    cadre = support.client_for(app, "cadre_a")
    response = post(cadre, "/checkin", {"status": "在村走访", "village_id": str(org.zhang),
                                        "lat": str(where[0]), "lon": str(where[1]),
                                        "accuracy": "25"})
    assert response.status_code == 303
    page = text_of(cadre.get("/checkin"))
    assert f"定位：{verdict}" in page and "距村委会" in page
    board = text_of(support.client_for(app, "editor_a").get("/whereabouts"))
    assert f"定位：{verdict}" in board
    shown = text_of(support.client_for(app, "editor_a").get("/whereabouts/map"))
    assert re.search(r'<g class="cadre (here|away)"><circle', shown)
    assert "张家村" in shown


def test_location_never_reaches_the_air(app, org):
    from publisher.extensions import db
    from publisher.jobs.derived import whereabouts_item
    from publisher.models import Township

    _set_village(app, org)
    cadre = support.client_for(app, "cadre_a")
    post(cadre, "/checkin", {"status": "在村走访", "village_id": str(org.zhang),
                             "lat": "34.2660", "lon": "108.9510", "accuracy": "25"})
    with app.app_context():
        item, _ = whereabouts_item(db.session.get(Township, org.a),
                                   datetime.now(UTC).date(), datetime.now(UTC))
    assert "34.266" not in str(item) and "location" not in str(item)


def test_an_sms_check_in_is_marked_as_carrying_no_location(app, org):
    from publisher.extensions import db
    from publisher.models import Cadre
    from publisher.services.whereabouts import record_whereabouts, township_today

    with app.app_context():
        cadre = db.session.get(Cadre, org.cadre)
        record_whereabouts(cadre, township_today(cadre, datetime.now(UTC)), "在村走访",
                           village_id=org.zhang, source="sms")
    board = text_of(support.client_for(app, "editor_a").get("/whereabouts"))
    assert "短信，无定位" in board

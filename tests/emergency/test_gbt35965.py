"""GB/T 35965.1 early-warning messages beside CAP 1.2: parsing (pure) and ingesting.

The fixtures are built from the national early-warning release system profile's fields as
documented in publisher/emergency/gbt35965.py (an assumption written there, not a copy of
a published sample).
"""

from datetime import timedelta

import pytest

from publisher.emergency.cap import CapError, area_matches
from publisher.emergency.gbt35965 import FORMAT, parse_alert

from .conftest import T0
from .test_cap import _ingest, _items, cap_xml

SENDER_CODE = "65010141600000"


def gbt_xml(identifier="65010141600000_20261123090000", msg_type="Alert", severity="Orange",
            status="Actual", references="", geocode="650101000000", area="乾元县",
            expires=T0 + timedelta(hours=3), event_type="11B03", info=True,
            headline="乾元县气象台发布暴雨橙色预警信号", namespace="") -> str:
    refs = f"<references>{references}</references>" if references else ""
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    body = f"""<info>
    <language>zh-CN</language>
    <eventType>{event_type}</eventType>
    <urgency>Immediate</urgency>
    <severity>{severity}</severity>
    <certainty>Likely</certainty>
    <effective>{T0.isoformat()}</effective>
    <expires>{expires.isoformat()}</expires>
    <senderName>乾元县气象台</senderName>
    <headline>{headline}</headline>
    <description>乾元县气象台11月23日9时发布暴雨橙色预警信号：预计未来3小时监山乡等地降雨量将达50毫米以上。</description>
    <instruction>请远离河道，转移低洼地带群众。</instruction>
    <area>
      <areaDesc>乾元县</areaDesc>
      <geocode>{geocode}</geocode>
    </area>
  </info>""" if info else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert{xmlns}>
  <identifier>{identifier}</identifier>
  <sender>乾元县气象台</sender>
  <senderCode>{SENDER_CODE}</senderCode>
  <sendTime>2026-11-23T09:00:00+08:00</sendTime>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>{refs}
  {body}
</alert>"""


def test_parses_a_national_alert():
    alert = parse_alert(gbt_xml())
    assert alert.format == FORMAT
    assert (alert.identifier, alert.sender, alert.msg_type) == (
        "65010141600000_20261123090000", SENDER_CODE, "Alert")
    assert alert.sent == T0
    info = alert.info()
    assert (info.colour, info.severity, info.event, info.event_code) == (
        "橙", "Severe", "暴雨", "11B03")
    assert info.sender_name == "乾元县气象台"
    assert info.areas[0].geocodes == ("650101000000",)
    assert info.expires == T0 + timedelta(hours=3)


def test_cap_is_still_read_as_cap():
    alert = parse_alert(cap_xml())
    assert alert.format == "CAP 1.2" and alert.info().colour == ""


@pytest.mark.parametrize(("severity", "colour"), [
    ("Red", "红"), ("红色", "红"), ("Ⅰ", "红"), ("1", "红"), ("Orange", "橙"), ("Yellow", "黄"),
    ("3", "黄"), ("Blue", "蓝"), ("蓝色", "蓝"), ("Extreme", "红"), ("Minor", "蓝"),
])
def test_colour_levels(severity, colour):
    assert parse_alert(gbt_xml(severity=severity)).info().colour == colour


def test_unknown_severity_takes_the_colour_from_the_headline():
    info = parse_alert(gbt_xml(severity="Unknown", headline="暴雪黄色预警")).info()
    assert info.colour == "黄"


def test_a_namespaced_national_message_is_recognised():
    assert parse_alert(gbt_xml(namespace="urn:example:gbt35965")).format == FORMAT


def test_times_without_offset_are_beijing_time():
    xml = gbt_xml().replace("2026-11-23T09:00:00+08:00", "2026-11-23 09:00:00")
    assert parse_alert(xml).sent == T0


@pytest.mark.parametrize(("xml", "reason"), [
    ("<report><sendTime>x</sendTime></report>", "GB/T 35965.1"),
    ("<alert><identifier>x</identifier></alert>", "GB/T 35965.1"),
    (gbt_xml().replace("<msgType>Alert</msgType>", ""), "msgType"),
    (gbt_xml(msg_type="Cancel"), "references"),
    (gbt_xml(severity="Purple"), "severity"),
    (gbt_xml().replace("<identifier>65010141600000_20261123090000</identifier>", ""),
     "identifier"),
    (gbt_xml().replace("2026-11-23T09:00:00+08:00", "yesterday"), "时间格式"),
])
def test_malformed_national_messages_get_a_chinese_error(xml, reason):
    with pytest.raises(CapError, match=reason):
        parse_alert(xml)


def test_area_codes_match_by_division():
    alert = parse_alert(gbt_xml(geocode="650101000000"))  # the county
    assert area_matches(alert, (), ("650101103000",))  # a township in it
    assert not area_matches(alert, (), ("650102103000",))
    township_alert = parse_alert(gbt_xml(geocode="650101103000"))
    assert area_matches(township_alert, (), ("650101103000",))
    assert not area_matches(township_alert, (), ("650101104000",))


def test_national_alert_airs_with_its_colour_level(app, township):
    result = _ingest(app, township, gbt_xml())
    assert result["outcome"] == "aired"
    ((_id, exercise, withdrawn, until, data),) = _items(app)
    assert (exercise, withdrawn, until) == (False, False, T0 + timedelta(hours=3))
    assert data["severity"] == "橙色预警"  # the slide's title reads 紧急通知·橙色预警
    assert data["title"] == "乾元县气象台发布暴雨橙色预警信号"
    assert "50毫米" in data["body"] and "远离河道" in data["body"]
    assert data["issued_by"] == "乾元县气象台"


def test_update_and_cancel_by_reference(app, township):
    _ingest(app, township, gbt_xml(identifier="G-1"))
    update = _ingest(app, township, gbt_xml(
        identifier="G-2", msg_type="Update", severity="Red", headline="暴雨红色预警",
        references=f"{SENDER_CODE},G-1,2026-11-23T09:00:00+08:00"))
    assert update["outcome"] == "updated"
    first, second = _items(app)
    assert first[2] is True and second[2] is False and second[4]["severity"] == "红色预警"
    cancel = _ingest(app, township, gbt_xml(identifier="G-3", msg_type="Cancel", info=False,
                                            references="G-2"))  # a bare identifier
    assert cancel["outcome"] == "cancelled"
    assert [i[2] for i in _items(app)] == [True, True]


@pytest.mark.parametrize("make", [
    lambda: gbt_xml(identifier="G-9", msg_type="Cancel", info=False,
                    references=f"{SENDER_CODE},NEVER-SEEN,2026-11-23T08:00:00+08:00"),
    lambda: cap_xml(identifier="W-9", msg_type="Cancel", info=False,
                    references=f"weather@county.cn,NEVER-SEEN,{T0.isoformat()}"),
])
def test_cancel_of_an_alert_never_received_is_refused_and_changes_nothing(app, township, make):
    from publisher.extensions import db
    from publisher.models.emergency import CapMessage

    _ingest(app, township, gbt_xml(identifier="G-1"))
    with pytest.raises(CapError, match="从未收到.*未做任何更改"):
        _ingest(app, township, make())
    ((_id, _exercise, withdrawn, *_rest),) = _items(app)
    assert withdrawn is False  # the alert on air stays on air
    with app.app_context():
        assert db.session.query(CapMessage).count() == 1  # the refused Cancel is not stored


def test_uploaded_national_alert_shows_its_colour_on_the_alerts_page(app, client, auth, world):
    import io
    import re

    auth.login("boss")
    html = client.get("/emergency/alerts").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/emergency/alerts/cap", data={
        "csrf_token": token, "file": (io.BytesIO(gbt_xml(severity="Red").encode()), "a.xml")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    html = client.get("/emergency/alerts").get_data(as_text=True)
    assert re.search(r'class="badge level-红"[^>]*>红色预警<', html)

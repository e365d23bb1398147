"""CAP 1.2: strict, safe parsing (pure) and what ingesting does to the channel."""

from datetime import UTC, datetime, timedelta

import pytest

from publisher.emergency.cap import CapError, area_matches, parse_cap

from .conftest import T0


def cap_xml(identifier="W-1", status="Actual", msg_type="Alert", area="乾元县监山乡",
            expires=T0 + timedelta(hours=3), references="", sender="weather@county.cn",
            info=True, scope="Public") -> str:
    refs = f"<references>{references}</references>" if references else ""
    body = f"""<info><language>zh-CN</language><category>Met</category><event>暴雨</event>
      <urgency>Immediate</urgency><severity>Severe</severity><certainty>Likely</certainty>
      <senderName>乾元县气象台</senderName><headline>暴雨橙色预警</headline>
      <description>未来3小时降雨量将达50毫米以上。</description>
      <instruction>请远离河道，转移低洼地带群众。</instruction>
      <expires>{expires.isoformat()}</expires>
      <area><areaDesc>{area}</areaDesc><geocode><valueName>GB</valueName><value>650101</value></geocode></area>
    </info>""" if info else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier><sender>{sender}</sender>
  <sent>{T0.isoformat()}</sent><status>{status}</status><msgType>{msg_type}</msgType>
  <scope>{scope}</scope>{refs}{body}
</alert>"""


def test_parses_a_cap_alert():
    alert = parse_cap(cap_xml())
    assert (alert.identifier, alert.sender, alert.status, alert.msg_type) == (
        "W-1", "weather@county.cn", "Actual", "Alert")
    info = alert.info()
    assert info.headline == "暴雨橙色预警" and info.severity == "Severe"
    assert info.expires == T0 + timedelta(hours=3)
    assert info.areas[0].geocodes == ("650101",)


def test_reads_references():
    alert = parse_cap(cap_xml(msg_type="Cancel", references="weather@county.cn,W-1,"
                              + T0.isoformat()))
    assert [(r.sender, r.identifier) for r in alert.references] == [("weather@county.cn", "W-1")]


@pytest.mark.parametrize(("xml", "reason"), [
    ("", "为空"),
    ("<alert>", "不是有效的 XML"),
    ("<alert xmlns='urn:other'/>", "不是 CAP 1.2"),
    (cap_xml().replace("<identifier>W-1</identifier>", ""), "identifier"),
    (cap_xml(status="Real"), "status"),
    (cap_xml(msg_type="Alarm"), "msgType"),
    (cap_xml(msg_type="Update"), "references"),
    (cap_xml(references="just-one-part", msg_type="Cancel"), "references"),
    (cap_xml().replace(T0.isoformat(), "2026-11-23 09:00"), "时区"),
    (cap_xml().replace(T0.isoformat(), "yesterday"), "时间格式"),
    (cap_xml().replace("<severity>Severe</severity>", "<severity>Bad</severity>"), "severity"),
    (cap_xml().replace("<areaDesc>乾元县监山乡</areaDesc>", ""), "areaDesc"),
    ("x" * 600_000, "过大"),
])
def test_malformed_cap_gets_a_clear_error(xml, reason):
    with pytest.raises(CapError, match=reason):
        parse_cap(xml)


def test_entity_expansion_is_refused():
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&lol2;</alert>')
    with pytest.raises(CapError, match="DTD"):
        parse_cap(bomb)


def test_external_entities_are_refused():
    xxe = ('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&x;</alert>')
    with pytest.raises(CapError):
        parse_cap(xxe)


def test_area_matching_by_name_or_geocode():
    alert = parse_cap(cap_xml(area="乾元县监山乡"))
    assert area_matches(alert, ("监山乡",), ())
    assert area_matches(alert, ("别的乡",), ("650101",))
    assert not area_matches(alert, ("别的乡",), ("999999",))


def _ingest(app, township, xml, now=T0):
    from publisher.emergency import alerts
    from publisher.extensions import db
    from publisher.models import Township

    with app.app_context():
        result = alerts.ingest_cap(db.session.get(Township, township), xml.encode(), now)
        db.session.remove()
        return result


def _items(app):
    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        return [(i.id, i.is_exercise, i.withdrawn_at is not None, i.latest.valid_until,
                 i.latest.data) for i in db.session.query(ContentItem).order_by("id")]


def test_actual_alert_for_our_area_goes_on_air_until_it_expires(app, township):
    result = _ingest(app, township, cap_xml())
    assert result["outcome"] == "aired"
    ((_id, exercise, withdrawn, until, data),) = _items(app)
    assert (exercise, withdrawn, until) == (False, False, T0 + timedelta(hours=3))
    assert data["title"] == "暴雨橙色预警" and data["severity"] == "严重"
    assert data["issued_by"] == "乾元县气象台" and "远离河道" in data["body"]
    assert data["expires"] == "11月23日 12:00"  # local time for the screen


def test_the_same_alert_twice_is_one_item(app, township):
    _ingest(app, township, cap_xml())
    assert _ingest(app, township, cap_xml())["outcome"] == "duplicate"
    assert len(_items(app)) == 1


@pytest.mark.parametrize(("kwargs", "why"), [
    ({"status": "Test"}, "status=Test"), ({"status": "System"}, "status=System"),
    ({"status": "Draft"}, "status=Draft"), ({"area": "别的县"}, "区域"),
    ({"expires": T0 - timedelta(minutes=1)}, "过期"), ({"info": False}, "info"),
    ({"msg_type": "Ack", "references": "a,b,c"}, "Ack"),
    ({"scope": "Restricted"}, "scope=Restricted"), ({"scope": "Private"}, "scope=Private"),
])
def test_alerts_that_must_not_air(app, township, kwargs, why):
    result = _ingest(app, township, cap_xml(**kwargs))
    assert result["outcome"] == "ignored" and why in result["detail"]
    assert _items(app) == []


def test_exercise_is_stored_but_never_airs(app, township):
    assert _ingest(app, township, cap_xml(status="Exercise"))["outcome"] == "exercise"
    ((_id, exercise, *_rest),) = _items(app)
    assert exercise is True


def test_update_replaces_and_cancel_withdraws_through_references(app, township):
    _ingest(app, township, cap_xml(identifier="W-1"))
    ref = f"weather@county.cn,W-1,{T0.isoformat()}"
    update = _ingest(app, township, cap_xml(identifier="W-2", msg_type="Update", references=ref,
                                            expires=T0 + timedelta(hours=5)))
    assert update["outcome"] == "updated"
    first, second = _items(app)
    assert first[2] is True and second[2] is False  # old withdrawn, new on air
    assert second[3] == T0 + timedelta(hours=5)
    cancel = _ingest(app, township, cap_xml(identifier="W-3", msg_type="Cancel", info=False,
                                            references=f"weather@county.cn,W-2,{T0.isoformat()}"))
    assert cancel["outcome"] == "cancelled"
    assert [i[2] for i in _items(app)] == [True, True]


def test_alert_without_expires_ends_after_the_default_lifetime(app, township):
    xml = cap_xml().replace(f"<expires>{(T0 + timedelta(hours=3)).isoformat()}</expires>", "")
    _ingest(app, township, xml)
    assert _items(app)[0][3] == T0 + timedelta(hours=6)


def test_polling_a_url_ingests_and_records_errors(app, township):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from publisher.emergency import alerts
    from publisher.extensions import db
    from publisher.models.emergency import CapSource

    bodies = [cap_xml().encode(), b"<broken"]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = bodies.pop(0)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config["OUTBOUND_ALLOW"] = "127.0.0.1"  # a loopback feed only when named (issue 11)
    try:
        with app.app_context():
            db.session.add(CapSource(township_id=township, interval_seconds=60,
                                     url=f"http://127.0.0.1:{server.server_port}/cap.xml"))
            db.session.commit()
            assert alerts.poll_sources(T0) == 1
            assert alerts.poll_sources(T0 + timedelta(seconds=30)) == 0  # not due yet
            assert alerts.poll_sources(T0 + timedelta(seconds=61)) == 1
            source = db.session.query(CapSource).one()
            assert "XML" in source.last_error
    finally:
        server.shutdown()
    assert len(_items(app)) == 1


def test_naive_now_is_never_used():
    assert parse_cap(cap_xml()).sent.tzinfo is not None
    assert datetime(2026, 1, 1, tzinfo=UTC) < parse_cap(cap_xml()).sent


def test_a_message_recorded_meanwhile_airs_nothing(app, township, monkeypatch):
    """A poll and an upload of the same message at once: the loser's work is all undone
    (the item it issued and the alert its Update withdrew), not left on air twice."""
    from sqlalchemy import insert

    from publisher.emergency import alerts
    from publisher.extensions import db
    from publisher.models.emergency import CapMessage

    _ingest(app, township, cap_xml(identifier="W-1"))
    real_act = alerts._act

    def act_then_lose_the_race(township_row, alert, now, actor):
        result = real_act(township_row, alert, now, actor)
        db.session.execute(insert(CapMessage).values(  # the other worker's row
            township_id=township_row.id, sender=alert.sender, identifier=alert.identifier,
            sent=alert.sent, status=alert.status, msg_type=alert.msg_type, outcome="updated",
            received_at=now))
        return result

    monkeypatch.setattr(alerts, "_act", act_then_lose_the_race)
    update = _ingest(app, township, cap_xml(
        identifier="W-2", msg_type="Update", references=f"weather@county.cn,W-1,{T0.isoformat()}"))
    assert update["outcome"] == "duplicate"
    ((_id, _exercise, withdrawn, *_rest),) = _items(app)
    assert withdrawn is False  # the first alert is still on air


def test_only_http_cap_sources_are_fetched(app, township):
    from publisher.emergency import alerts
    from publisher.extensions import db
    from publisher.models.emergency import CapSource

    with app.app_context():
        db.session.add(CapSource(township_id=township, url="file://localhost/etc/passwd"))
        db.session.commit()
        assert alerts.poll_sources(T0) == 1
        assert "http" in db.session.query(CapSource).one().last_error
    assert _items(app) == []

"""A GB/T 35965.1 early-warning message (China's national format) takes over the live
channel within 10 s of being ingested, with its colour level on the slide.

Proved from the stream itself, as tests/e2e/test_alert_on_air.py does for staff alerts:
the as-run log of the running feed and a frame decoded from the live HLS compared with the
rendered alert page.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.e2e.stream import (
    difference,
    frame_at,
    running_clock,
    running_playout,
    wait_for,
    wait_for_plan,
)
from tests.e2e.test_alert_on_air import _entries

pytestmark = [pytest.mark.ffmpeg, pytest.mark.slow]

CUT_IN_S = 10  # issue 12: a GB/T 35965.1 alert on air within 10 s


def national_alert(sent, expires) -> bytes:  # noqa: ANN001
    """A red rainstorm warning for the county, in the national profile's fields (see
    publisher/emergency/gbt35965.py for the structure assumed)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert>
  <identifier>65010141600000_E2E</identifier>
  <sender>乾元县气象台</sender>
  <senderCode>65010141600000</senderCode>
  <sendTime>{sent.isoformat()}</sendTime>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <eventType>11B03</eventType>
    <urgency>Immediate</urgency>
    <severity>Red</severity>
    <certainty>Observed</certainty>
    <effective>{sent.isoformat()}</effective>
    <expires>{expires.isoformat()}</expires>
    <senderName>乾元县气象台</senderName>
    <headline>乾元县气象台发布暴雨红色预警信号</headline>
    <description>过去3小时监山乡降雨量已达100毫米以上，降雨仍将持续。</description>
    <instruction>沿河群众请立即转移到高处，停止户外活动。</instruction>
    <area><areaDesc>乾元县</areaDesc><geocode>650101000000</geocode></area>
  </info>
</alert>""".encode()


def test_national_alert_is_on_air_within_ten_seconds(app, live_server, township, tmp_path):
    from publisher.emergency import alerts
    from publisher.extensions import db
    from publisher.models import ContentItem, Township, utcnow

    with running_clock(app):
        wait_for_plan(app)
        with running_playout(app, "jianshan"):
            wait_for(lambda: _entries(app), 60, "the feed to air its first page")
            with app.app_context():
                ingested_at = utcnow()
                result = alerts.ingest_cap(db.session.get(Township, township),
                                           national_alert(ingested_at,
                                                          ingested_at + timedelta(hours=2)),
                                           ingested_at)
                assert result["outcome"] == "aired", result
                item = db.session.get(ContentItem, result["item_id"])
                ref = item.ref
                assert item.latest.data["severity"] == "红色预警"
                assert "100毫米" in item.latest.data["body"]  # what is read aloud
            entry = wait_for(lambda: _entries(app, item_ref=ref), 90, "the alert on air")[0]
            assert entry.interrupt
            assert (entry.aired_at - ingested_at).total_seconds() <= CUT_IN_S
            with app.app_context():
                png = Path(db.session.get(ContentItem, result["item_id"]).live_version
                           .pages["jianshan"][0]["png"])
            # The entry comes once the whole page aired; a narrated alert can outlast the
            # live window, so look near its end (still the alert's page).
            seen_at = entry.aired_at + timedelta(milliseconds=entry.duration_ms - 2000)
            frame = frame_at(live_server, "jianshan", seen_at, tmp_path / "alert.png")
            assert difference(frame, png) < 8

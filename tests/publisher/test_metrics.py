"""/metrics scraped over HTTP from a running app while a real playout process airs a channel.

The web app is served on 127.0.0.1 (werkzeug's server in a thread), ``villagecast playout``
runs as its own process on the same data directory and database, and the exposition is parsed
with prometheus_client's own parser: the feed's state and segment age come from what the
playout wrote, the queue depths from rows put in the database, and no personal data appears.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.serving import make_server

from tests.e2e.stream import wait_for

pytestmark = pytest.mark.ffmpeg
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
READY = datetime(2026, 1, 1, tzinfo=UTC)
PHONE = "13912345678"
HOUSEHOLD = "王大爷"


def scrape(url: str, token: str = "") -> dict[str, dict[tuple, float]]:
    """``{sample name: {sorted labels: value}}`` parsed by prometheus_client."""
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"}
                                     if token else {})  # fmt: skip
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = response.read().decode()
    assert PHONE not in text and HOUSEHOLD not in text
    found: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def _seed(app, data_dir: Path) -> None:  # noqa: ANN001
    """One channel with a plan of one encoded page; a queued render, two outbound SMS
    waiting, one open emergency call."""
    from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan
    from publisher.extensions import db
    from publisher.models import (
        Channel,
        ContentItem,
        ContentVersion,
        Household,
        Incident,
        RenderState,
        SmsMessage,
        SmsStatus,
        Township,
        Village,
    )
    from renderer import encode

    enc = encode.PROFILES["720p"]
    png = data_dir / "page.png"
    Image.new("RGB", (enc.width, enc.height), (30, 90, 150)).save(png)
    unit = encode.ensure_unit(png, "metrics-page", Path(app.config["CACHE_DIR"]), enc)
    page = PlannedPage("metrics-page", str(png), str(unit), 2.56)
    item = PlannedItem("notice:1", 1, "notice", "通知", (page,), READY)
    save_plan(ChannelPlan("jianshan", "监山乡村频道", "Asia/Shanghai", "720p", READY, (item,)),
              Path(app.config["PLAN_DIR"]) / "jianshan.json")  # fmt: skip
    now = datetime.now(UTC)
    with app.app_context():
        town = Township(name="监山乡", county="乾元县")
        db.session.add(town)
        db.session.flush()
        village = Village(township_id=town.id, name="张家村")
        db.session.add_all([village, Channel(township_id=town.id, slug="jianshan",
                                             name="监山乡村频道")])  # fmt: skip
        content = ContentItem(township_id=town.id, kind="notice")
        db.session.add(content)
        db.session.flush()
        db.session.add(ContentVersion(item_id=content.id, number=1, title="停水通知", data={},
                                      state="approved", render_state=RenderState.QUEUED,
                                      reviewed_at=now - timedelta(seconds=90)))  # fmt: skip
        for minutes in (3, 1):
            db.session.add(SmsMessage(direction="out", number=PHONE, text=f"{HOUSEHOLD}呼救",
                                      status=SmsStatus.PENDING,
                                      created_at=now - timedelta(minutes=minutes)))  # fmt: skip
        home = Household(township_id=town.id, village_id=village.id, kind="elderly",
                         name=HOUSEHOLD)  # fmt: skip
        db.session.add(home)
        db.session.flush()
        db.session.add(Incident(township_id=town.id, household_id=home.id, open_key=home.id,
                                source="device", call_plan_snapshot={}, triggered_at=now,
                                last_trigger_at=now))  # fmt: skip
        db.session.commit()
        db.session.remove()


@pytest.fixture
def site(tmp_path: Path, database_uri: str):  # noqa: ANN201
    """The app served on a loopback port and a real playout process beside it."""
    from publisher import create_app
    from publisher.extensions import db

    data_dir = tmp_path / "data"
    app = create_app({"DATA_DIR": data_dir, "SQLALCHEMY_DATABASE_URI": database_uri,
                      "SECRET_KEY": "test", "METRICS_TOKEN": "scrape-me"})  # fmt: skip
    _seed(app, data_dir)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {**os.environ, "VILLAGECAST_DATA": str(data_dir), "DATABASE_URL": database_uri,
           "SECRET_KEY": "test", "VILLAGECAST_NODE_ID": "metrics-node",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # fmt: skip
    log = (tmp_path / "playout.log").open("wb")
    playout = subprocess.Popen([str(BIN / "villagecast"), "playout"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield f"http://127.0.0.1:{server.server_port}", tmp_path / "playout.log"
    finally:
        os.killpg(playout.pid, signal.SIGKILL)
        playout.wait(10)
        server.shutdown()
        with app.app_context():
            db.engine.dispose()


def test_metrics_of_a_running_playout_parse_and_tell_the_truth(site) -> None:  # noqa: ANN001
    url, log = site
    channel = (("channel", "jianshan"),)

    def on_air() -> dict | None:
        found = scrape(f"{url}/metrics")
        return found if found["villagecast_feed_on_air"].get(channel) == 1 else None

    try:
        found = wait_for(on_air, 60, "the channel on air in /metrics")
    except AssertionError:
        pytest.fail(f"playout log:\n{log.read_text('utf-8', 'replace')[-3000:]}")
    assert found["villagecast_database_up"][()] == 1
    assert found["villagecast_feed_planned"][channel] == 1
    assert 0 <= found["villagecast_feed_last_segment_age_seconds"][channel] < 3 * 3.84
    # Published at the segment's start, give or take the machine's load; except the first
    # after a start, which is the segment already on air, published as soon as it is built.
    assert -1 < found["villagecast_feed_segment_lateness_seconds"][channel] < 3.84 + 2
    on_time = wait_for(lambda: -1 < scrape(f"{url}/metrics")[
        "villagecast_feed_segment_lateness_seconds"][channel] < 2, 20, "a segment on time")
    assert on_time
    assert found["villagecast_feed_udp_state"][(("channel", "jianshan"), ("state", "off"))] == 1
    assert found["villagecast_process_heartbeat_age_seconds"][(("process", "playout"),)] < 10
    assert found["villagecast_playout_nodes"][()] == 1
    assert found["villagecast_render_queue_depth"][(("lane", "content"),)] == 1
    assert found["villagecast_render_queue_depth"][(("lane", "alert"),)] == 0
    assert found["villagecast_render_channels_waiting"][()] == 1  # one version, one channel
    assert 90 <= found["villagecast_render_queue_oldest_seconds"][()] < 300
    assert found["villagecast_sms_queue_depth"][()] == 2
    assert 180 <= found["villagecast_sms_queue_oldest_seconds"][()] < 400
    assert found["villagecast_emergency_open_incidents"][()] == 1
    # The as-run log fills as pages end (2.56 s each).
    aired = wait_for(lambda: scrape(f"{url}/metrics")["villagecast_as_run_age_seconds"]
                     .get(channel), 20, "an as-run entry")  # fmt: skip
    assert 0 <= aired < 20

    health = urllib.request.urlopen(f"{url}/healthz", timeout=10)
    assert health.status == 200


def test_metrics_answer_other_hosts_only_with_the_token(app) -> None:  # noqa: ANN001
    """Behind a proxy the client's address is not loopback: without the token, a 403 that
    says why (in Chinese); with it, the exposition."""
    app.config["METRICS_TOKEN"] = "scrape-me"
    client = app.test_client()
    away = {"REMOTE_ADDR": "192.0.2.7"}
    refused = client.get("/metrics", environ_base=away)
    assert refused.status_code == 403
    assert "令牌" in refused.get_data(as_text=True)
    wrong = client.get("/metrics", environ_base=away, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    ok = client.get("/metrics", environ_base=away, headers={"Authorization": "Bearer scrape-me"})
    assert ok.status_code == 200
    assert b"villagecast_database_up 1.0" in ok.data
    app.config["METRICS_TOKEN"] = ""
    assert client.get("/metrics", environ_base=away,
                      headers={"Authorization": "Bearer "}).status_code == 403  # fmt: skip
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200

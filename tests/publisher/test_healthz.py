"""/healthz: ready (200) only with the database answering, a live playout and every planned
feed on air; otherwise 503 naming the failing check. /healthz/live only says the web answers."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from publisher.supervision.heartbeat import Heartbeat, write_heartbeat


def _beat(app, name: str, age_s: float = 0.0) -> None:  # noqa: ANN001
    now = datetime.now(UTC)
    write_heartbeat(Path(app.config["STATUS_DIR"]), Heartbeat(
        name, os.getpid(), now, now, time.monotonic() - age_s))


def _feed(app, slug: str, age_s: float, late_s: float = 0.05) -> None:  # noqa: ANN001
    """A plan for ``slug`` and the status file playout writes after a segment."""
    (Path(app.config["PLAN_DIR"]) / f"{slug}.json").write_text("{}")
    written = datetime.now(UTC) - timedelta(seconds=age_s)
    status = {"channel": slug, "last_segment_at": written.isoformat(),
              "last_segment_start": (written - timedelta(seconds=late_s)).isoformat(),
              "segment_s": 3.84, "stall_after_s": 11.52, "udp": {"state": "off"}}  # fmt: skip
    (Path(app.config["STATUS_DIR"]) / f"{slug}.json").write_text(json.dumps(status))


def test_ready_with_database_playout_and_feeds(app, township) -> None:  # noqa: ANN001
    _beat(app, "playout")
    _beat(app, "clock")
    _feed(app, "jianshan", age_s=1.0)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["playout"]["ok"] is True
    assert body["checks"]["feeds"] == {"ok": True, "on_air": 1, "expected": 1, "down": []}
    assert body["info"]["clock"]["ok"] is True


def test_a_stalled_feed_makes_it_unready(app, township) -> None:  # noqa: ANN001
    _beat(app, "playout")
    _feed(app, "jianshan", age_s=60.0)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "fail"
    assert body["checks"]["feeds"]["down"] == ["jianshan"]
    assert body["checks"]["playout"]["ok"] is True


def test_no_playout_heartbeat_is_unready_unless_a_node_renewed_its_lease(app, township) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import LeaseNode

    client = app.test_client()
    _beat(app, "playout", age_s=120)  # hung: the heartbeat is stale
    body = client.get("/healthz").get_json()
    assert body["checks"]["playout"] == {"ok": False, "heartbeat_age_s": pytest.approx(120, abs=5),
                                         "nodes": 0}  # fmt: skip
    assert client.get("/healthz").status_code == 503
    # A playout node on another machine: its presence in the database counts.
    with app.app_context():
        db.session.add(LeaseNode(role="playout", node="other", seen_at=datetime.now(UTC)))
        db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["checks"]["playout"]["nodes"] == 1


def test_a_channel_without_a_plan_is_not_expected_on_air(app, township) -> None:  # noqa: ANN001
    _beat(app, "playout")
    body = app.test_client().get("/healthz").get_json()
    assert body["checks"]["feeds"] == {"ok": True, "on_air": 0, "expected": 0, "down": []}


def test_database_unreachable_is_unready_not_an_error(tmp_path: Path) -> None:
    from publisher import create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}"})  # a directory
    _beat(app, "playout")
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"]["ok"] is False
    assert "unable to open database file" in checks["database"]["detail"]
    assert checks["playout"]["ok"] is True
    scraped = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert scraped.status_code == 200
    assert b"villagecast_database_up 0.0" in scraped.data
    live = client.get("/healthz/live")
    assert live.status_code == 200 and live.get_json() == {"status": "ok"}

"""Public alerts through the clock's real content pipeline (render, encode, channel plan)
to the timeline: a real alert interrupts the channel until it expires or is cancelled;
an exercise never airs."""

from datetime import timedelta
from pathlib import Path

import pytest

from .conftest import T0
from .test_cap import cap_xml

pytestmark = pytest.mark.ffmpeg


def _ingest(app, township, xml, now):
    from publisher.emergency import alerts
    from publisher.extensions import db
    from publisher.models import Township

    with app.app_context():
        result = alerts.ingest_cap(db.session.get(Township, township), xml.encode(), now)
        db.session.remove()
        return result


def _plan(app):
    from playlists.plan import load_plan

    return load_plan(Path(app.config["PLAN_DIR"]) / "jianshan.json")


def test_cap_alert_interrupts_the_channel_until_cancelled_and_exercise_never_airs(
        app, township):
    from playlists.timeline import PlayState, next_slot
    from publisher.jobs.clock import ContentClock
    from publisher.models import utcnow

    now = utcnow()  # the content clock runs on real time
    expires = (now + timedelta(hours=3)).replace(microsecond=0)
    real = _ingest(app, township, cap_xml(identifier="R-1", expires=expires), now)
    drill = _ingest(app, township, cap_xml(identifier="E-1", status="Exercise",
                                           expires=expires), now)
    assert (real["outcome"], drill["outcome"]) == ("aired", "exercise")
    clock = ContentClock(app)
    clock.tick()

    plan = _plan(app)
    planned = {i.id: i for i in plan.items}
    alert = planned[f"alert:{real['item_id']}"]
    assert alert.interrupt and alert.pages and alert.valid_until == expires
    assert f"alert:{drill['item_id']}" not in planned
    on_air, _state = next_slot(plan, now + timedelta(seconds=1), PlayState())
    assert on_air.interrupt and on_air.item_id == alert.id
    after_expiry, _state = next_slot(plan, expires + timedelta(seconds=1), PlayState())
    assert not after_expiry.interrupt  # back to the schedule by itself

    cancel = _ingest(app, township, cap_xml(
        identifier="R-2", msg_type="Cancel", info=False,
        references=f"weather@county.cn,R-1,{T0.isoformat()}"), now)
    assert cancel["outcome"] == "cancelled"
    clock.tick()
    plan = _plan(app)
    assert alert.id not in {i.id for i in plan.items}
    back, _state = next_slot(plan, now + timedelta(seconds=2), PlayState())
    assert not back.interrupt

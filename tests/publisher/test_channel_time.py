"""Channel time: a channel's own time zone (else its township's) wherever channel time shows.

At 2025-01-01 17:30 UTC it is already 2 January 01:30 in Shanghai but still 1 January
23:30 in Urumqi, so a day or an hour in the wrong zone shows up as the wrong date.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import post, text_of

org = support.org  # a fixture: pytest finds it as a module attribute

NOW = datetime(2025, 1, 1, 17, 30, tzinfo=UTC)


def set_zone(app, channel_id: int, zone: str) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import Channel

    with app.app_context():
        db.session.get(Channel, channel_id).timezone = zone
        db.session.commit()


@pytest.mark.parametrize(("own", "township", "effective"), [
    ("Asia/Urumqi", "Asia/Shanghai", "Asia/Urumqi"),
    ("", "Asia/Urumqi", "Asia/Urumqi"),
    ("", "", "Asia/Shanghai"),
])
def test_channel_time_is_the_channels_zone_else_the_townships(own, township, effective):
    from publisher.models import Channel, Township

    channel = Channel(timezone=own, township=Township(timezone=township))
    assert channel.effective_timezone == effective


@pytest.mark.parametrize(("zone", "day"), [("Asia/Urumqi", 1), ("Asia/Shanghai", 2), ("", 2)])
def test_the_date_on_slides_is_the_channel_local_date(zone, day):
    from publisher.jobs.channels import local_today
    from publisher.models import Channel, Township

    channel = Channel(timezone=zone, township=Township(timezone="Asia/Shanghai"))
    assert local_today(channel, NOW).day == day


def test_admin_sets_and_clears_a_channel_time_zone(app, client, auth, org):
    from publisher.extensions import db
    from publisher.models import AuditEvent, Channel

    auth.login("admin_a")
    form = text_of(client.get(f"/org/channels/{org.a_channel}/edit"))
    assert 'name="timezone"' in form and "留空则跟随乡镇：北京时间（UTC+8）" in form
    fields = {"name": "监山乡村频道", "slug": "jianshan", "profile": "720p", "enabled": "1"}
    response = post(client, f"/org/channels/{org.a_channel}/edit",
                    {**fields, "timezone": "Asia/Urumqi"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.get(Channel, org.a_channel).timezone == "Asia/Urumqi"
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.target_type == "channel").order_by(AuditEvent.id.desc())).first()
        assert (event.before["timezone"], event.after["timezone"]) == ("", "Asia/Urumqi")
    listing = text_of(client.get("/org/channels"))
    assert "新疆时间（UTC+6）" in listing
    assert post(client, f"/org/channels/{org.a_channel}/edit",
                {**fields, "timezone": ""}).status_code == 303
    with app.app_context():
        channel = db.session.get(Channel, org.a_channel)
        assert (channel.timezone, channel.effective_timezone) == ("", "Asia/Shanghai")


def aired_notice_in_urumqi(app, org) -> None:  # noqa: ANN001
    """Channel A on Urumqi time, with one notice in its as-run log at ``NOW``."""
    from publisher.extensions import db
    from publisher.models import AsRunEntry

    set_zone(app, org.a_channel, "Asia/Urumqi")
    with app.app_context():
        db.session.add(AsRunEntry(channel_id=org.a_channel, aired_at=NOW, duration_ms=10_240,
                                  item_ref="notice:1", version=1, title="防汛通知",
                                  page_key="0" * 16))
        db.session.commit()


def test_as_run_export_uses_channel_time(app, org):
    from publisher.extensions import db
    from publisher.models import Channel
    from publisher.services.guide import as_run_csv

    aired_notice_in_urumqi(app, org)
    with app.app_context():
        channel = db.session.get(Channel, org.a_channel)
        urumqi_day = as_run_csv(channel, "2025-01-01").decode("utf-8-sig")
        shanghai_day = as_run_csv(channel, "2025-01-02").decode("utf-8-sig")
    assert "2025-01-01 23:30:00.00" in urumqi_day
    assert "防汛通知" not in shanghai_day


def test_channel_page_shows_as_run_times_and_zone_in_channel_time(app, org):
    aired_notice_in_urumqi(app, org)
    page = text_of(support.client_for(app, "editor_a").get("/channel"))
    assert "2025-01-01 23:30:00" in page and "2025-01-02 01:30" not in page
    assert "频道时区：新疆时间（UTC+6）" in page


def _columns(db, table: str) -> set[str]:  # noqa: ANN001
    """The table's columns as the database has them now (SQLite or PostgreSQL)."""
    from sqlalchemy import inspect

    return {column["name"] for column in inspect(db.engine).get_columns(table)}


def test_migration_0005_downgrades_and_upgrades_with_data_kept(app, township):
    from flask_migrate import downgrade, upgrade

    from publisher.extensions import db

    with app.app_context():
        db.session.execute(db.text("UPDATE channel SET timezone = 'Asia/Urumqi', "
                                   "schedule = '{\"policy\": {\"weight\": 2}}'"))
        db.session.commit()
        db.session.remove()
        downgrade(revision="0004")
        columns = _columns(db, "channel")
        assert "timezone" not in columns and "schedule" not in columns
        assert db.session.execute(db.text("SELECT slug FROM channel")).scalar() == "jianshan"
        db.session.remove()
        upgrade()
        row = db.session.execute(db.text("SELECT timezone, schedule FROM channel")).one()
        assert row == ("", None)  # back to the township's zone and the default schedule
        assert "priority" in _columns(db, "content_version")


def test_channel_form_refuses_an_unknown_zone(app, client, auth, org):
    auth.login("admin_a")
    response = post(client, f"/org/channels/{org.a_channel}/edit",
                    {"name": "监山乡村频道", "slug": "jianshan", "timezone": "Beijing"})
    assert response.status_code == 400
    assert re.search(r'id="e-timezone">未知的时区：Beijing<', text_of(response))


def test_time_zones_have_the_names_people_use():
    from datetime import UTC, datetime

    from publisher.admin.timeutil import zone_label

    at = datetime(2026, 7, 1, tzinfo=UTC)
    assert zone_label("Asia/Shanghai", at) == "北京时间（UTC+8）"
    assert zone_label("Asia/Urumqi", at) == "新疆时间（UTC+6）"
    assert zone_label("Asia/Kolkata", at) == "Asia/Kolkata（UTC+5:30）"
    assert zone_label("Europe/Berlin", at) == "Europe/Berlin（UTC+2）"  # summer time counted
    assert zone_label("", at) == "北京时间（UTC+8）"  # the default when none is set

"""The channel's reading pace: kept in a readable range by migration 0012, and what the
render request carries (issue #10, part 5)."""

from __future__ import annotations


def test_migration_0012_keeps_the_pace_readable_and_the_render_request_carries_it(app, township):
    from flask_migrate import downgrade, upgrade

    from publisher.extensions import db
    from publisher.jobs.pipeline import render_request
    from publisher.models import Channel, utcnow
    from renderer.page import ReadingPace

    with app.app_context():
        db.session.remove()
        downgrade(revision="0011")
        tid = township
        for slug, pace in (("slow", 0.2), ("fast", 50.0), ("zero", 0.0), ("fine", 4.5)):
            db.session.execute(db.text(
                "INSERT INTO channel (township_id, slug, name, \"group\", profile, primary_colour, "
                "accent_colour, logo_path, udp_url, udp_paused, udp_muxrate_kbps, udp_provider, "
                "reading_pace, enabled, timezone) VALUES (:t, :s, :s, '', '720p', '', '', '', '', "
                ":off, 0, '', :p, :on, '')"),
                {"t": tid, "s": slug, "p": pace, "off": False, "on": True})
        db.session.commit()
        db.session.remove()
        upgrade()
        paces = dict(db.session.execute(db.text("SELECT slug, reading_pace FROM channel")).all())
        assert paces == {"jianshan": 3.0, "slow": 1.0, "fast": 10.0, "zero": 3.0, "fine": 4.5}
        # A row written without a pace gets the default from the database itself.
        db.session.execute(db.text(
            "INSERT INTO channel (township_id, slug, name, \"group\", profile, primary_colour, "
            "accent_colour, logo_path, udp_url, udp_paused, udp_muxrate_kbps, udp_provider, "
            "enabled, timezone) VALUES (:t, 'raw', 'raw', '', '720p', '', '', '', '', :off, 0, '', "
            ":on, '')"), {"t": tid, "off": False, "on": True})
        db.session.commit()
        assert db.session.scalars(db.select(Channel).where(Channel.slug == "raw")).one() \
            .reading_pace == 3.0
        # The render request carries the channel's pace to the render job.
        slow = db.session.scalars(db.select(Channel).where(Channel.slug == "fine")).one()
        request = render_request({"type": "notice", "title": "停水通知"}, slow, utcnow())
        assert ReadingPace(**request["pace"]) == ReadingPace(chars_per_second=4.5)
        db.session.remove()
        downgrade(revision="0011")  # and back down again
        db.session.remove()
        upgrade()

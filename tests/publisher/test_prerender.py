"""Rendering on submission, so approval only has to put the item in the plan (issue 10)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from playlists.plan import load_plan
from tests.publisher.test_clock_pipeline import POLICY, _user, people  # noqa: F401 - fixture


def _submitted(app, people):  # noqa: ANN001, ANN202, F811
    from publisher.extensions import db
    from publisher.models import Township
    from publisher.services import content

    editor = _user(people["editor"])
    item = content.create_item(editor, db.session.scalar(select(Township)), "policy", POLICY)
    item.narration = False  # the voice is tested elsewhere; here it would only cost time
    content.submit(editor, item)
    return item.id


def _planned(app) -> dict[str, int]:  # noqa: ANN001
    path = Path(app.config["PLAN_DIR"]) / "jianshan.json"
    return {i.id: i.version for i in load_plan(path).items} if path.exists() else {}


@pytest.mark.ffmpeg
def test_submitted_item_is_rendered_but_airs_only_once_approved(app, people):  # noqa: F811
    from publisher.extensions import db
    from publisher.jobs.clock import ContentClock
    from publisher.models import ContentItem, Job, JobState, RenderState, VersionState, utcnow
    from publisher.services import content

    clock = ContentClock(app)
    with app.app_context():
        item_id = _submitted(app, people)
    clock.tick()  # the content lane pre-renders it; the air lane writes the plans
    with app.app_context():
        item = db.session.get(ContentItem, item_id)
        job = db.session.scalar(select(Job).where(Job.kind == "prerender"))
        assert job.state == JobState.DONE, job.error
        pages = job.result["renders"]["jianshan"]["pages"]
        assert pages and all(Path(p["unit"]).stat().st_size > 0 for p in pages)
        # Rendered, but not approved: not live, not in the plan, not marked 已上线.
        assert item.live_version is None
        assert item.latest.state == VersionState.PENDING
        assert item.latest.render_state == RenderState.NONE
        ref = item.ref
        approved_at = utcnow()
        content.approve(_user(people["reviewer"]), item)
    assert ref not in _planned(app)
    clock.air_tick()  # the air lane alone, which never renders: approval is enough
    with app.app_context():
        live = db.session.get(ContentItem, item_id).live_version
        assert live is not None and live.render_state == RenderState.READY
        assert live.pages["jianshan"] == pages
        assert live.ready_at >= approved_at  # fresh from approval: it airs next
    assert _planned(app)[ref] == 1


@pytest.mark.ffmpeg
def test_a_version_changed_after_its_prerender_is_rendered_again(app, people):  # noqa: F811
    from publisher.extensions import db
    from publisher.jobs.pipeline import process_render_queue
    from publisher.jobs.prerender import adopt_prerendered, run_prerenders
    from publisher.models import ContentItem, RenderState
    from publisher.services import content

    with app.app_context():
        item_id = _submitted(app, people)
        assert run_prerenders() == 1
        item = db.session.get(ContentItem, item_id)
        editor = _user(people["editor"])
        content.edit_item(editor, item, {**POLICY, "title": "耕地地力保护补贴（更正）"})
        content.submit(editor, item)
        content.approve(_user(people["reviewer"]), item)
        assert adopt_prerendered() == 0  # the pre-render is of the old text
        version = db.session.get(ContentItem, item_id).latest
        assert version.render_state == RenderState.QUEUED
        assert db.session.get(ContentItem, item_id).live_version is None
        process_render_queue()  # rendered as after any approval
        live = db.session.get(ContentItem, item_id).live_version
        assert live is not None and live.render_state == RenderState.READY
        assert live.title == "耕地地力保护补贴（更正）"


def test_a_poke_wakes_the_listener_and_a_poke_with_nobody_listening_is_dropped(tmp_path):
    from publisher.services.clock_wake import WakeListener, poke

    path = tmp_path / "clock.wake"
    assert poke(path) is False  # no pipe yet: nothing raised, nothing blocked
    woken = threading.Event()
    listener = WakeListener(path, woken.set).start()
    try:
        assert poke(path) is True
        assert woken.wait(5)
    finally:
        listener.stop()
    assert poke(path) is False  # the pipe is there but nobody reads it
    assert os.path.exists(path)


def test_approval_pokes_the_clock(app, people, monkeypatch):  # noqa: F811
    from publisher.extensions import db
    from publisher.models import ContentItem
    from publisher.services import content

    pokes = []
    monkeypatch.setattr(content, "wake_clock", lambda: pokes.append(1) or True)
    with app.app_context():
        item_id = _submitted(app, people)
        assert len(pokes) == 1
        content.approve(_user(people["reviewer"]), db.session.get(ContentItem, item_id))
        assert len(pokes) == 2


def test_only_one_lane_marks_a_queued_version_ready(app, people):  # noqa: F811
    from datetime import timedelta

    from publisher.extensions import db
    from publisher.jobs.pipeline import mark_ready
    from publisher.models import ContentItem, RenderState, utcnow
    from publisher.services import content

    with app.app_context():
        item = db.session.get(ContentItem, _submitted(app, people))
        version = content.approve(_user(people["reviewer"]), item)
        first, later = utcnow(), utcnow() + timedelta(seconds=2)
        assert mark_ready(version, {"jianshan": [{"key": "a"}]}, first) is True
        db.session.commit()
        # The other lane, done a moment later with a render of its own: changes nothing.
        assert mark_ready(version, {"jianshan": [{"key": "b"}]}, later) is False
        db.session.commit()
        version = db.session.get(ContentItem, item.id).live_version
        assert version.render_state == RenderState.READY
        assert version.pages == {"jianshan": [{"key": "a"}]}
        assert abs((version.ready_at - first).total_seconds()) < 0.001

"""Normal content renders in a limited child process, alerts in a lane of their own: a
render that runs too long is killed and its page says why in Chinese; the clock keeps the
content lane off the timers' threads."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.publisher.test_clock_pipeline import POLICY, people  # noqa: F401 - fixture

CHINESE = re.compile(r"[\u4e00-\u9fff]")
MAXIMAL_POLICY = {**POLICY, "title": "字" * 60, "body": "补贴面积以二轮承包面积为基础。" * 266,
                  "eligibility": "拥有耕地承包权的种地农民。" * 300}


def _approved(app, people, data):  # noqa: ANN001, ANN202, F811
    from publisher.extensions import db
    from publisher.models import Township, User
    from publisher.services import content

    editor = db.session.get(User, people["editor"])
    reviewer = db.session.get(User, people["reviewer"])
    item = content.create_item(editor, db.session.scalar(select(Township)), "policy", data)
    content.submit(editor, item)
    content.approve(reviewer, item)
    return item.id


def test_a_render_over_its_time_limit_is_stopped_and_explained_on_the_page(
        app, people, auth, client):  # noqa: F811
    from publisher.extensions import db
    from publisher.jobs.clock import ContentClock
    from publisher.models import ContentItem, RenderState

    app.config["RENDER_TIMEOUT_S"] = 0.3  # a maximal policy takes seconds: it cannot finish
    with app.app_context():
        item_id = _approved(app, people, MAXIMAL_POLICY)
    ContentClock(app).work_tick()
    with app.app_context():
        version = db.session.get(ContentItem, item_id).latest
        assert version.render_state == RenderState.FAILED
        assert "秒" in version.render_error and CHINESE.search(version.render_error)
        assert not re.search(r"[A-Za-z]{4,}", version.render_error)
    auth.login("editor")
    page = client.get(f"/content/policy/{item_id}").get_data(as_text=True)
    assert "渲染失败" in page and "请缩短" in page


def test_a_render_over_its_memory_limit_is_stopped_and_explained(app, people):  # noqa: F811
    from publisher.extensions import db
    from publisher.jobs.clock import ContentClock
    from publisher.models import ContentItem, RenderState

    app.config["RENDER_MEMORY_BYTES"] = 64 * 1024 * 1024  # less than the renderer needs
    with app.app_context():
        item_id = _approved(app, people, POLICY)
    ContentClock(app).work_tick()
    with app.app_context():
        version = db.session.get(ContentItem, item_id).latest
        assert version.render_state == RenderState.FAILED
        assert "内存" in version.render_error


def test_alerts_and_content_run_in_separate_lanes(app):
    from publisher.jobs.clock import build_scheduler

    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert jobs["content"].executor == "content"
    assert jobs["air"].executor == "default"
    assert jobs["emergency"].executor == "default"


def test_the_air_lane_never_renders_content_it_leaves_repairs_to_the_content_lane(
        app, people, monkeypatch):  # noqa: F811
    from pathlib import Path

    from publisher.extensions import db
    from publisher.jobs import pipeline
    from publisher.jobs.clock import ContentClock
    from publisher.models import ContentItem

    clock = ContentClock(app)
    with app.app_context():
        item_id = _approved(app, people, POLICY)
    clock.tick()  # rendered, encoded, planned
    with app.app_context():
        pages = next(iter(db.session.get(ContentItem, item_id).live_version.pages.values()))
    Path(pages[0]["unit"]).write_bytes(b"cut short by a power cut")

    renders = []
    real = pipeline.render_for_channel
    monkeypatch.setattr(pipeline, "render_for_channel",
                        lambda data, *a, **kw: renders.append(data["type"]) or real(data, *a, **kw))
    clock.air_tick()
    assert renders == []  # the broken unit is not repaired here
    clock.work_tick()
    assert renders == ["policy"]  # the content lane repairs it
    assert Path(pages[0]["unit"]).stat().st_size > 1000

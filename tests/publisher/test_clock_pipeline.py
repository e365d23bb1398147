"""The clock's content side: approved → rendered + encoded → in the channel plan → withdrawn."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from playlists.plan import load_plan

pytestmark = pytest.mark.ffmpeg

POLICY = {
    "title": "2026年耕地地力保护补贴发放通知",
    "category": "种粮补贴",
    "eligibility": "本乡拥有耕地承包经营权的农户",
    "amount": "每亩 95.5 元",
    "how_to_apply": "携带身份证、土地承包经营权证到村委会登记",
    "deadline": "2026-12-31",
    "source_document": "乾农发〔2026〕12号",
    "contact": "乡农业服务中心 0991-1234567",
    "body": "为保护耕地地力，提高粮食生产能力，现将有关事项通知如下。" * 3,
}


@pytest.fixture
def people(app, township, make_user):  # noqa: ANN001, ANN201
    return {"editor": make_user("editor", "editor", township),
            "reviewer": make_user("reviewer", "reviewer", township)}


def _user(user_id):  # noqa: ANN001, ANN202
    from publisher.extensions import db
    from publisher.models import User

    return db.session.get(User, user_id)


def _approved_policy(app, people, **window):  # noqa: ANN001, ANN003, ANN202
    from publisher.extensions import db
    from publisher.models import Township
    from publisher.services import content

    editor, reviewer = _user(people["editor"]), _user(people["reviewer"])
    township = db.session.scalar(select(Township))
    item = content.create_item(editor, township, "policy", POLICY, **window)
    content.submit(editor, item)
    content.approve(reviewer, item)
    return item


def test_approved_policy_is_rendered_encoded_and_planned(app, people):
    from publisher.jobs.clock import ContentClock
    from publisher.models import RenderState

    clock = ContentClock(app)
    with app.app_context():
        item = _approved_policy(app, people)
        item_id = item.id
    clock.tick()
    with app.app_context():
        from publisher.extensions import db
        from publisher.models import ContentItem

        item = db.session.get(ContentItem, item_id)
        live = item.live_version
        assert live is not None, "the approved version was never promoted"
        assert live.render_state == RenderState.READY, live.render_error
        pages = live.pages["jianshan"]
        assert len(pages) >= 2  # the key-facts page and at least one body page
        for page in pages:
            assert Path(page["png"]).is_file()
            assert Path(page["unit"]).stat().st_size > 0
        plan = load_plan(Path(app.config["PLAN_DIR"]) / "jianshan.json")
    planned = {i.id: i for i in plan.items}
    assert planned[f"policy:{item_id}"].title == POLICY["title"]
    assert plan.filler is not None and plan.filler.pages


def test_a_new_channel_is_on_air_with_its_ident_before_its_backlog_renders(app, people,
                                                                           monkeypatch):
    """A fresh site's first plan does not wait for every approved item to render (a minute
    or two off air): by the time the backlog renders, the air lane has a plan to air."""
    from publisher.jobs import clock as clock_module
    from publisher.jobs.clock import ContentClock

    clock = ContentClock(app)
    with app.app_context():
        _approved_policy(app, people)
    plan_file = Path(app.config["PLAN_DIR"]) / "jianshan.json"
    assert not plan_file.exists()
    seen = []
    real = clock_module.process_render_queue

    def backlog(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if kwargs.get("content_only"):
            clock._air_once()  # the air lane's tick, running beside the render
            plan = load_plan(plan_file) if plan_file.exists() else None
            seen.append(plan)
        return real(*args, **kwargs)

    monkeypatch.setattr(clock_module, "process_render_queue", backlog)
    clock.work_tick()
    assert seen and seen[0] is not None, "no plan while the backlog rendered"
    assert seen[0].filler is not None and seen[0].filler.pages  # the ident airs meanwhile
    assert seen[0].items == () or all(not i.id.startswith("policy:") for i in seen[0].items)
    clock.air_tick()
    assert any(i.id.startswith("policy:") for i in load_plan(plan_file).items)


def test_withdrawn_policy_leaves_the_plan(app, people):
    from publisher.extensions import db
    from publisher.jobs.clock import ContentClock
    from publisher.services import content

    clock = ContentClock(app)
    with app.app_context():
        item_id = _approved_policy(app, people).id
    clock.tick()
    with app.app_context():
        from publisher.models import ContentItem

        content.withdraw(_user(people["editor"]), db.session.get(ContentItem, item_id))
    clock.tick()
    plan = load_plan(Path(app.config["PLAN_DIR"]) / "jianshan.json")
    assert f"policy:{item_id}" not in {i.id for i in plan.items}


def test_validity_window_is_carried_into_the_plan(app, people):
    from publisher.jobs.clock import ContentClock
    from publisher.models import utcnow

    until = utcnow() + timedelta(days=3)
    with app.app_context():
        item_id = _approved_policy(app, people, valid_until=until).id
    ContentClock(app).tick()
    plan = load_plan(Path(app.config["PLAN_DIR"]) / "jianshan.json")
    planned = {i.id: i for i in plan.items}[f"policy:{item_id}"]
    assert abs((planned.valid_until - until).total_seconds()) < 1


def test_preview_job_renders_without_touching_air(app, people):
    from publisher.extensions import db
    from publisher.jobs.clock import ContentClock
    from publisher.models import Job, JobState, Township
    from publisher.services.jobs import enqueue

    with app.app_context():
        township_id = db.session.scalar(select(Township)).id
        job_id = enqueue("preview", {"item": {**POLICY, "type": "policy"},
                                     "township_id": township_id}).id
        bad_id = enqueue("preview", {"item": {"type": "policy"}, "township_id": township_id}).id
    ContentClock(app).tick()
    with app.app_context():
        job, bad = db.session.get(Job, job_id), db.session.get(Job, bad_id)
        assert job.state == JobState.DONE
        assert job.result["pages"][0]["page_no"] == 1
        assert bad.state == JobState.FAILED and bad.error


def test_an_alert_is_rendered_before_an_earlier_backlog(app, people):
    from publisher.extensions import db
    from publisher.jobs.pipeline import process_render_queue
    from publisher.models import ContentItem, RenderState, Township
    from publisher.services import content

    with app.app_context():
        policy_id = _approved_policy(app, people).id
        editor, reviewer = _user(people["editor"]), _user(people["reviewer"])
        township = db.session.scalar(select(Township))
        alert = content.create_item(editor, township, "alert",
                                    {"title": "山洪预警", "body": "请沿河群众立即转移到安全地带。"})
        content.submit(editor, alert)
        content.approve(reviewer, alert)
        alert_id = alert.id
        assert process_render_queue(limit=1) == 1
        states = {i.id: i.latest.render_state for i in db.session.scalars(select(ContentItem))}
    assert states[alert_id] == RenderState.READY
    assert states[policy_id] == RenderState.QUEUED


def test_schedule_time_zone_and_priority_are_carried_into_the_plan(app, people, make_user,
                                                                   township):
    from datetime import UTC, datetime

    from playlists.playstate import PlayState
    from playlists.timeline import simulate
    from publisher.extensions import db
    from publisher.jobs.clock import ContentClock
    from publisher.models import Channel
    from publisher.services import schedule

    off = {"weight": 0, "dayparts": []}
    mornings = {"weekdays": [0, 1, 2, 3, 4], "start": "07:00", "end": "09:00"}
    rules = schedule.clean_schedule({**{c: off for c in schedule.CATEGORIES},
                                     "policy": {"weight": 4, "dayparts": [mornings]}})
    admin_id = make_user("admin", "admin", township)
    clock = ContentClock(app)
    with app.app_context():
        item_id = _approved_policy(app, people, priority=10).id
        channel = db.session.scalar(select(Channel))
        channel.timezone = "Asia/Urumqi"
        schedule.save_schedule(_user(admin_id), channel, rules)
    clock.tick()
    path = Path(app.config["PLAN_DIR"]) / "jianshan.json"
    plan = load_plan(path)
    assert plan.timezone == "Asia/Urumqi"
    assert plan.categories == rules
    assert {i.id: i for i in plan.items}[f"policy:{item_id}"].priority == 10
    # The playout's timeline honours the daypart in channel time: Monday 07:30 in Urumqi
    # (01:30 UTC) airs the policy, Saturday the ident alone.
    monday = simulate(plan, datetime(2030, 1, 7, 1, 30, tzinfo=UTC),
                      datetime(2030, 1, 7, 1, 32, tzinfo=UTC), PlayState())[0]
    saturday = simulate(plan, datetime(2030, 1, 12, 1, 30, tzinfo=UTC),
                        datetime(2030, 1, 12, 1, 32, tzinfo=UTC), PlayState())[0]
    assert "policy" in {s.category for s in monday}
    assert {s.category for s in saturday} == {"ident"}

    # A schedule change alone rewrites the plan on the next tick.
    with app.app_context():
        schedule.save_schedule(_user(admin_id), db.session.scalar(select(Channel)), None)
    clock.tick()
    assert load_plan(path).categories == schedule.DEFAULT_CATEGORIES

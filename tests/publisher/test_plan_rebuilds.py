"""A channel's plan is built again when what it is made of changed, not on every tick of
the clock: quiet ticks build nothing, a change builds it again (in each lane), and so does
the channel's local midnight."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.publisher.test_clock_pipeline import POLICY, people  # noqa: F401 - fixture

pytestmark = pytest.mark.ffmpeg


@pytest.fixture
def builds(monkeypatch):  # noqa: ANN001, ANN201
    """Every build of a plan, as (lane, time): ``air`` writes plan files, ``content``
    renders slides and repairs units for it."""
    from publisher.jobs import plans

    seen: list[tuple[str, object]] = []
    real = plans.build_plan

    def counted(channel, now, cache):  # noqa: ANN001, ANN202
        seen.append(("content" if cache.may_render() else "air", now))
        return real(channel, now, cache)

    monkeypatch.setattr(plans, "build_plan", counted)
    return seen


def _approve(people, title: str) -> None:  # noqa: F811
    from publisher.extensions import db
    from publisher.models import Township, User
    from publisher.services import content

    editor = db.session.get(User, people["editor"])
    reviewer = db.session.get(User, people["reviewer"])
    item = content.create_item(editor, db.session.scalar(select(Township)), "policy",
                               {**POLICY, "title": title})
    content.submit(editor, item)
    content.approve(reviewer, item)


def _ticks(lanes, clock, n: int) -> None:  # noqa: ANN001
    for _ in range(n):
        clock.advance(seconds=1)
        lanes.tick()


def test_quiet_ticks_build_no_plan_a_change_and_midnight_do(app, people, clock,  # noqa: F811
                                                            builds):
    from playlists.plan import load_plan
    from publisher.extensions import db
    from publisher.jobs.clock import ContentClock
    from publisher.jobs.plans import plan_path
    from publisher.models import Channel

    lanes = ContentClock(app)
    with app.app_context():
        _approve(people, "第一条政策")
        path = plan_path(db.session.scalar(select(Channel.slug)))
    _ticks(lanes, clock, 3)  # rendered, its slides rendered, planned
    assert any(i.title == "第一条政策" for i in load_plan(path).items)

    builds.clear()
    _ticks(lanes, clock, 60)  # a quiet minute: 120 builds before (each lane, every second)
    assert builds == []

    with app.app_context():
        _approve(people, "第二条政策")  # a new approval ...
    _ticks(lanes, clock, 10)
    assert any(i.title == "第二条政策" for i in load_plan(path).items)
    assert {lane for lane, _ in builds} == {"air", "content"}
    assert len(builds) <= 8  # ... builds the plan again, for a tick or two, then no more
    assert max(at for _, at in builds) - min(at for _, at in builds) <= timedelta(seconds=3)

    builds.clear()
    with app.app_context():  # a change no service wakes the clock for: the channel renamed
        db.session.scalar(select(Channel)).name = "尖山乡综合频道"
        db.session.commit()
    _ticks(lanes, clock, 5)
    assert load_plan(path).name == "尖山乡综合频道"
    assert 1 <= len(builds) <= 6

    builds.clear()
    # 09:00 China time: the minute before the channel's midnight, quiet; the minute after,
    # the plan is built again (today's boards, the ident's date).
    clock.advance(hours=14, minutes=58)
    _ticks(lanes, clock, 2)
    before_midnight = len(builds)
    _ticks(lanes, clock, 60)
    assert before_midnight <= 4  # time passed: the boards may have looked again
    assert 1 <= len(builds) - before_midnight <= 6

"""The render queue goes round the townships (alerts first), and a version rendering for
several channels shows how many are done, on the item page as in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from publisher.jobs.render_queue import Waiting, fair_order

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
POLICY = {
    "title": "2026年耕地地力保护补贴发放通知",
    "category": "种粮补贴",
    "eligibility": "本乡拥有耕地承包经营权的农户",
    "amount": "每亩 95.5 元",
    "how_to_apply": "携带身份证、土地承包经营权证到村委会登记",
    "deadline": "2026-12-31",
    "source_document": "乾农发〔2026〕12号",
    "contact": "乡农业服务中心 0991-1234567",
    "body": "为保护耕地地力，提高粮食生产能力，现将有关事项通知如下。",
}


def _w(vid: int, town: int, minute: int | None, alert: bool = False) -> Waiting:
    return Waiting(vid, town, alert, None if minute is None else T0 + timedelta(minutes=minute))


def test_townships_take_turns_and_alerts_go_first() -> None:
    backlog = [_w(1, 1, 0), _w(2, 1, 1), _w(3, 1, 2), _w(4, 1, 3), _w(5, 1, 4)]  # A: five at once
    others = [_w(6, 2, 2), _w(7, 3, 5), _w(8, 3, 6), _w(9, 3, 7, alert=True), _w(10, 2, None)]
    order = [w.version_id for w in fair_order(backlog + others)]
    # The alert first; then each township's oldest (in approval order), then each one's
    # second, ...; a version with no approval time last in its township.
    assert order == [9, 1, 6, 7, 2, 8, 10, 3, 4, 5]
    # Strictly by approval time, B's one notice (6) would have waited behind three of A's.
    assert order.index(6) < order.index(2)
    assert fair_order([]) == []


@pytest.fixture
def county(app, make_user):  # noqa: ANN001, ANN201
    """Three townships: 北山乡 and 南山乡 with one channel each, 东山乡 with three."""
    from publisher.extensions import db
    from publisher.models import Channel, Township

    ids = {}
    with app.app_context():
        for name, slug, channels in (("北山乡", "north", 1), ("南山乡", "south", 1),
                                     ("东山乡", "east", 3)):  # fmt: skip
            town = Township(name=name, county="乾元县")
            db.session.add(town)
            db.session.flush()
            for n in range(channels):
                db.session.add(Channel(township_id=town.id, slug=f"{slug}{n}",
                                       name=f"{name}频道{n}"))  # fmt: skip
            ids[slug] = town.id
        db.session.commit()
    people = {slug: (make_user(f"ed-{slug}", "editor", town),
                     make_user(f"rv-{slug}", "reviewer", town))
              for slug, town in ids.items()}  # fmt: skip
    return ids, people


def _approve(people, slug: str, minute: int, title: str) -> int:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import Township, User
    from publisher.services import content

    editor, reviewer = (db.session.get(User, i) for i in people[slug])
    town = db.session.get(Township, editor.township_id)
    item = content.create_item(editor, town, "policy", {**POLICY, "title": title})
    content.submit(editor, item)
    content.approve(reviewer, item)
    item.latest.reviewed_at = T0 + timedelta(minutes=minute)
    db.session.commit()
    return item.latest.id


@pytest.mark.ffmpeg
def test_one_townships_backlog_does_not_starve_another(app, county) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.jobs.pipeline import process_render_queue
    from publisher.models import ContentVersion, RenderState

    _, people = county
    with app.app_context():
        north = [_approve(people, "north", m, f"北山乡补贴通知第{m}号") for m in (0, 1, 2)]
        south = _approve(people, "south", 3, "南山乡停水通知")  # approved after all three
        assert process_render_queue(T0 + timedelta(minutes=4), limit=2, content_only=True) == 2
        state = dict(db.session.execute(
            select(ContentVersion.id, ContentVersion.render_state)).all())
    assert state[north[0]] == state[south] == RenderState.READY
    assert state[north[1]] == state[north[2]] == RenderState.QUEUED


@pytest.mark.ffmpeg
def test_a_version_for_three_channels_reports_each_channel_done(app, county, make_user) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.jobs.pipeline import render_queued
    from publisher.jobs.render_queue import channel_progress, channels_waiting
    from publisher.models import ContentVersion, RenderState

    _, people = county
    with app.app_context():
        vid = _approve(people, "east", 0, "东山乡全乡停电通知")
        version = db.session.get(ContentVersion, vid)
        assert channel_progress(version) == (0, 3)
        assert channels_waiting() == 3
    seen: list[tuple[int, int, int]] = []

    def look() -> bool:
        """Asked before each step is recorded: what another process sees in the database."""
        with app.app_context():
            other = db.session.get(ContentVersion, vid)
            seen.append((*channel_progress(other), channels_waiting()))
            db.session.remove()
        return True

    with app.app_context():
        assert render_queued(db.session.get(ContentVersion, vid), T0, still_mine=look)
    # After the first and the second channel (progress recorded), then before going live.
    assert seen == [(0, 3, 3), (1, 3, 2), (2, 3, 1)]
    with app.app_context():
        version = db.session.get(ContentVersion, vid)
        assert version.render_state == RenderState.READY
        assert channel_progress(version) == (3, 3) and set(version.pages) == {"east0", "east1",
                                                                              "east2"}


def test_the_item_page_says_how_many_channels_are_done(app, county, client, auth) -> None:  # noqa: ANN001
    """Staff waiting on the item read "N of M channels" (Chinese) while it renders."""
    from publisher.admin.status import render_work
    from publisher.extensions import db
    from publisher.models import ContentVersion

    _, people = county
    with app.app_context():
        vid = _approve(people, "east", 0, "东山乡全乡停电通知")
        first = _approve(people, "north", 1, "北山乡通知")
        version = db.session.get(ContentVersion, vid)
        work = render_work(version)
        assert (work.ahead, work.channels_done, work.channels) == (0, 0, 3)
        assert work.text(T0 + timedelta(minutes=5)) == (
            "排队渲染：排在第一位，正在渲染或马上开始，共 3 个频道（已等 5 分钟）")
        version.pages = {"east0": [], "east1": []}  # two channels rendered so far
        db.session.commit()
        assert render_work(version).text(T0 + timedelta(minutes=5)) == (
            "正在渲染：3 个频道中已完成 2 个（已等 5 分钟）")
        assert render_work(db.session.get(ContentVersion, first)).ahead == 1
        item_id = version.item_id
    auth.login("ed-east")
    page = client.get(f"/content/policy/{item_id}").get_data(as_text=True)
    assert "3 个频道中已完成 2 个" in page

"""The vertical slice, as a township office would do it: a policy from the admin to the TV."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.e2e.conftest import login
from tests.e2e.stream import (
    difference,
    frame_at,
    running_clock,
    running_playout,
    wait_for,
    wait_for_plan,
)

pytestmark = [pytest.mark.browser, pytest.mark.ffmpeg, pytest.mark.slow]

TITLE = "2026年农机购置补贴申报通知"




def test_policy_created_approved_and_seen_in_the_live_stream(
    app, live_server, page, township, make_user, tmp_path
):
    from publisher.extensions import db
    from publisher.models import AsRunEntry, ContentItem, utcnow

    make_user("editor", "editor", township)
    make_user("reviewer", "reviewer", township)

    with running_clock(app):
        wait_for_plan(app)
        with running_playout(app, "jianshan"):
            # The editor writes the policy and sends it for review.
            login(page, live_server, "editor")
            page.goto(f"{live_server}/content/policy/new")
            page.fill("#title", TITLE)
            page.fill("#category", "农机补贴")
            page.fill("#amount", "最高补贴 30%")
            page.fill("#deadline", "2026-12-31")
            page.fill("#contact", "乡农业服务中心 0991-7654321")
            page.fill("#body", "购买列入补贴目录的农机具，可申请购置补贴。"
                               "先购机后补贴，县级结算，直补到卡。")
            page.click("input[name=save_submit]")
            page.wait_for_load_state("networkidle")
            page.click("text=退出")

            # The reviewer approves it from the review queue.
            login(page, live_server, "reviewer")
            page.goto(f"{live_server}/review")
            page.click(f"text={TITLE}")
            page.wait_for_load_state("networkidle")
            approved_at = utcnow()
            page.click("input[name=approve]")
            page.wait_for_load_state("networkidle")

            with app.app_context():
                item = db.session.scalar(select(ContentItem))
                ref = item.ref
                png = Path(item.versions[-1].pages["jianshan"][0]["png"]) if item.versions[
                    -1].pages else None

            def aired():  # noqa: ANN202
                with app.app_context():
                    entry = db.session.scalar(
                        select(AsRunEntry).where(AsRunEntry.item_ref == ref,
                                                 AsRunEntry.page_no == 1))
                    db.session.remove()
                    return entry

            entry = wait_for(aired, 60, "the policy in the as-run log")
            # On air within half a minute of the approval (the foundation's target).
            assert (entry.aired_at - approved_at).total_seconds() <= 30

            with app.app_context():
                version = db.session.scalar(select(ContentItem)).live_version
                png = Path(version.pages["jianshan"][0]["png"])
                ident = Path(
                    _ident_png(app)
                )
            frame = frame_at(live_server, "jianshan", entry.aired_at + timedelta(seconds=2),
                             tmp_path / "frame.png")

    # The decoded frame is the policy's first page, not the ident or anything else.
    assert difference(frame, png) < 8
    assert difference(frame, ident) > 20


def _ident_png(app) -> str:  # noqa: ANN001
    from playlists.plan import load_plan

    plan = load_plan(Path(app.config["PLAN_DIR"]) / "jianshan.json")
    return plan.filler.pages[0].png

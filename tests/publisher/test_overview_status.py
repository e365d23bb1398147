"""Honest status on the item pages: 已播出 with the first and the last air time from the as-run
log, and where a version's rendering stands while staff wait on it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.publisher import test_content_support as support

login, make_item, office, mark_live = (support.login, support.make_item, support.office,
                                       support.mark_live)
ZONE = ZoneInfo("Asia/Shanghai")


def as_run(app, start: datetime, ref: str, version: int = 1, page: int = 1) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import AsRunEntry, Channel

    with app.app_context():
        channel = db.session.query(Channel).filter_by(slug="jianshan").one()
        db.session.add(AsRunEntry(channel_id=channel.id, aired_at=start, duration_ms=10240,
                                  item_ref=ref, version=version, category=ref.split(":")[0],
                                  title="政策", page_no=page, page_count=2,
                                  page_key=f"{ref}-{page}"))
        db.session.commit()


def status_line(html: str) -> str:
    found = re.search(r'<p class="status-line">(.*?)</p>', html, re.S)
    assert found, "no status line"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_an_aired_item_shows_its_first_and_last_airing(app, login, make_item):
    item_id = make_item("policy", state="live")
    ref = f"policy:{item_id}"
    editor = login("editor")
    assert "待播出" in status_line(editor.text(f"/content/policy/{item_id}"))
    first = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    last = first + timedelta(minutes=20)
    as_run(app, first, ref)
    as_run(app, last, ref)
    as_run(app, last + timedelta(seconds=10), ref, page=2)  # not an airing of its own
    as_run(app, last + timedelta(minutes=5), ref, version=9)  # another version: not this one
    line = status_line(editor.text(f"/content/policy/{item_id}"))
    fmt = "%m-%d %H:%M:%S"
    assert "已播出" in line and f"首播 {first.astimezone(ZONE):{fmt}}" in line
    assert f"最近 {last.astimezone(ZONE):{fmt}}" in line
    listing = editor.text("/content/policy")
    assert f"最近 {last.astimezone(ZONE):{fmt}}" in listing
    mine = editor.text("/").split("我的内容", 1)[1]
    assert f"最近 {last.astimezone(ZONE):{fmt}}" in mine


def test_one_airing_shows_no_separate_last_time(app, login, make_item):
    item_id = make_item("policy", state="live")
    as_run(app, datetime.now(UTC) - timedelta(minutes=3), f"policy:{item_id}")
    line = status_line(login("editor").text(f"/content/policy/{item_id}"))
    assert "首播" in line and "最近" not in line


def progress(staff, kind: str, item_id: int) -> dict:  # noqa: ANN001
    response = staff.get(f"/content/{kind}/{item_id}/progress")
    assert response.status_code == 200
    return response.get_json()


def test_approved_versions_show_their_place_in_the_render_queue(app, login, make_item):
    first = make_item("policy", state="approved")
    second = make_item("notice", state="approved")
    editor = login("editor")
    page = editor.text(f"/content/notice/{second}")
    assert 'id="render-progress"' in page and "排队渲染：前面还有 1 项" in page
    assert "progress.js" in page
    state = progress(editor, "notice", second)
    assert state["busy"] is True and state["stage"] == "queued"
    assert state["text"].startswith("排队渲染：前面还有 1 项")
    assert "排在第一位" in progress(editor, "policy", first)["text"]

    with app.app_context():
        mark_live(first)  # the clock rendered the first one
    assert "排在第一位" in progress(editor, "notice", second)["text"]
    with app.app_context():
        mark_live(second)
    state = progress(editor, "notice", second)
    assert state == {"stage": "", "busy": False, "text": "", "version": 1,
                     "render_state": "ready"}
    page = editor.text(f"/content/notice/{second}")
    assert 'id="render-progress"' not in page and "progress.js" not in page


def test_a_submission_shows_its_pre_render(app, login, make_item):
    from publisher.extensions import db
    from publisher.models import Job, JobState, utcnow

    item_id = make_item("policy", state="pending")
    editor = login("editor")
    assert "预渲染排队：前面还有 0 项" in editor.text(f"/content/policy/{item_id}")
    with app.app_context():
        job = db.session.query(Job).filter_by(kind="prerender").one()
        job.state, job.started_at = JobState.RUNNING, utcnow() - timedelta(seconds=7)
        db.session.commit()
        job_id = job.id
    state = progress(editor, "policy", item_id)
    assert state["stage"] == "prerendering" and re.match(r"正在预渲染电视画面，已用 [78] 秒",
                                                         state["text"])
    with app.app_context():
        job = db.session.get(Job, job_id)
        job.state, job.result = JobState.DONE, {"renders": {"jianshan": {"pages": []}}}
        job.finished_at = utcnow()
        db.session.commit()
    state = progress(editor, "policy", item_id)
    assert state["busy"] is False and state["text"] == "电视画面已预先渲染好，审核通过后立即播出"
    page = editor.text(f"/content/policy/{item_id}")
    assert "已预先渲染好" in page and "progress.js" not in page  # nothing to wait for


def test_another_townships_progress_is_not_found(app, login, make_item, office):
    theirs = make_item("policy", state="approved", township_id=office.b)
    assert login("editor").get(f"/content/policy/{theirs}/progress").status_code == 404
    assert login("county").get(f"/content/policy/{theirs}/progress").status_code == 200

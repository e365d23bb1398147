"""The reviewer's page in chromium: the produce photo and every page of the slide are shown
(loaded pictures, not file names), and a change to cadres waits for review."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.conftest import login
from tests.publisher import test_people_support as support

org = support.org  # a fixture: pytest finds it as a module attribute

pytestmark = [pytest.mark.browser, pytest.mark.ffmpeg]
SHOTS = Path(os.environ.get("VILLAGECAST_SHOTS", "/tmp/shots-review"))


def _pending_produce_with_photo(app, org) -> int:  # noqa: ANN001
    from werkzeug.datastructures import FileStorage

    from publisher.extensions import db
    from publisher.jobs.clock import ContentClock
    from publisher.models import Township, User
    from publisher.services import content
    from publisher.services.photos import save_photo
    from tests.publisher.test_content_support import PRODUCE

    raw = io.BytesIO()
    Image.new("RGB", (1200, 900), (120, 150, 60)).save(raw, "JPEG")
    with app.app_context():
        photo = save_photo(FileStorage(io.BytesIO(raw.getvalue()), filename="p.jpg"),
                           app.config["UPLOAD_DIR"] / f"township-{org.a}")
        editor = db.session.get(User, org.editor)
        item = content.create_item(editor, db.session.get(Township, org.a), "produce",
                                   {**PRODUCE, "village": "张家村", "photo": str(photo)})
        item.narration = False
        content.submit(editor, item)
        item_id = item.id
    ContentClock(app).tick()  # pre-rendered on submission, as the clock does
    return item_id


def test_reviewer_sees_the_photo_and_every_page(app, live_server, page, org):
    item_id = _pending_produce_with_photo(app, org)
    login(page, live_server, "reviewer_a")
    page.goto(f"{live_server}/review/{item_id}")
    widths = page.eval_on_selector_all(
        "img.photo-view, .page-strip img", "imgs => imgs.map(i => i.naturalWidth)")
    assert len(widths) >= 2 and all(w > 0 for w in widths), widths  # all loaded
    assert page.locator(".page-strip li").count() >= 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "review-produce.png"), full_page=True)


def test_a_cadre_change_waits_in_the_review_queue(app, live_server, page, org):
    login(page, live_server, "editor_a")
    page.goto(f"{live_server}/cadres/{org.cadre2}/edit")
    page.fill("#f-post", "党委委员、副乡长")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/cadres?*")
    assert "要等审核通过后才更新" in page.text_content("main")
    page.context.clear_cookies()  # log out: the reviewer takes over this browser
    login(page, live_server, "reviewer_a")
    page.goto(f"{live_server}/review")
    page.locator(".roster-queue").get_by_role("link", name="审核").click()
    assert "党委委员、副乡长" in page.text_content(".roster-changes")
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_url("**/review")
    assert "干部分工的变更已审核通过" in page.text_content("[role=alert]")

"""The reviewer sees everything that will air: the produce photo, and every page as rendered."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from tests.publisher import test_content_support as support
from tests.publisher.test_content_support import PRODUCE

login, office = support.login, support.office  # fixtures: pytest finds them as module attributes


def _photo(app, township_id: int) -> str:
    """A photo stored as the content form stores one (checked, shrunk, re-encoded)."""
    from werkzeug.datastructures import FileStorage

    from publisher.services.photos import save_photo

    raw = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 150, 40)).save(raw, "JPEG")
    upload = FileStorage(io.BytesIO(raw.getvalue()), filename="土豆.jpg", content_type="image/jpeg")
    with app.app_context():
        return str(save_photo(upload, app.config["UPLOAD_DIR"] / f"township-{township_id}"))


def _pending_produce(app, office, photo: str) -> int:
    from publisher.extensions import db
    from publisher.models import Township, User
    from publisher.services import content

    with app.app_context():
        editor = db.session.get(User, office.editor)
        item = content.create_item(editor, db.session.get(Township, office.a), "produce",
                                   {**PRODUCE, "photo": photo})
        item.narration = False  # the voice is tested elsewhere; here it would only cost time
        content.submit(editor, item)
        return item.id


def test_the_review_page_shows_the_photo_to_its_township_only(app, login, office):
    item_id = _pending_produce(app, office, _photo(app, office.a))
    page = login("reviewer").text(f"/review/{item_id}")
    src = re.search(r'<img class="photo-view" src="([^"]+)"', page).group(1)
    response = login("reviewer").get(src)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(response.data)).size == (1200, 900)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert login("admin_b").get(src).status_code == 404  # another township's draft
    detail = login("editor").text(f"/content/produce/{item_id}")
    assert f'src="{src}"' in detail  # the item page shows the picture, not a file name


def test_a_photo_path_outside_the_uploads_is_never_served(app, login, office, tmp_path):
    """The service refuses such a path; a row changed behind its back is still not served."""
    from publisher.extensions import db
    from publisher.models import ContentItem

    item_id = _pending_produce(app, office, _photo(app, office.a))
    outside = tmp_path / "secret.jpg"
    Image.new("RGB", (10, 10)).save(outside)
    with app.app_context():
        version = db.session.get(ContentItem, item_id).latest
        version.data = {**version.data, "photo": str(outside)}
        db.session.commit()
    assert login("reviewer").get(
        f"/content/produce/{item_id}/versions/1/photo").status_code == 404


@pytest.mark.ffmpeg
def test_the_review_page_shows_every_page_rendered_on_submission(app, login, office):
    from publisher.jobs.clock import ContentClock

    item_id = _pending_produce(app, office, _photo(app, office.a))
    reviewer = login("reviewer")
    assert "画面正在生成" in reviewer.text(f"/review/{item_id}")
    ContentClock(app).tick()  # the content lane pre-renders what was submitted
    page = reviewer.text(f"/review/{item_id}")
    urls = re.findall(r'<li><a href="(/render/[0-9a-f]+\.png)"', page)
    assert urls and f"共 {len(urls)} 页" in page
    for url in urls:  # each page is there, and the reviewer may see it
        response = reviewer.get(url)
        assert response.status_code == 200 and response.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert login("admin_b").get(urls[0]).status_code == 404


def _jpeg() -> bytes:
    raw = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 140, 60)).save(raw, "JPEG")
    return raw.getvalue()


def test_a_photo_chosen_before_a_form_error_is_kept_and_saved(app, login, office):
    from publisher.extensions import db
    from publisher.models import ContentItem
    from tests.publisher.test_content_support import form_of

    editor = login("editor")
    fields = form_of("produce", price="四块五")  # a mistake in another field
    response = editor.post("/content/produce/new", {**fields, "save": "1",
                                                    "photo": (io.BytesIO(_jpeg()), "土豆.jpg")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "价格请填写数字" in page
    kept = re.search(r'name="photo_kept" type="hidden" value="([0-9a-f]{32}\.jpg)"', page) or \
        re.search(r'id="photo_kept" name="photo_kept" type="hidden" value="([^"]+)"', page)
    assert kept, "the photo is not kept in the form"
    thumb = re.search(r'<img class="photo-view" src="(/content/produce/kept-photo/[^"]+)"', page)
    assert editor.get(thumb.group(1)).mimetype == "image/jpeg"
    assert login("editor_b").get(thumb.group(1)).status_code == 404  # another township
    fixed = editor.post("/content/produce/new", {**form_of("produce"), "save": "1",
                                                 "photo_kept": kept.group(1)})
    assert fixed.status_code == 302
    with app.app_context():
        item = db.session.query(ContentItem).one()
        assert item.latest.data["photo"].endswith(kept.group(1))


def test_a_forged_kept_name_is_ignored(app, login, office):
    from publisher.extensions import db
    from publisher.models import ContentItem
    from tests.publisher.test_content_support import form_of

    editor = login("editor")
    for name in ("../../secret.jpg", "0" * 32 + ".jpg"):
        editor.post("/content/produce/new", {**form_of("produce"), "save": "1",
                                             "photo_kept": name})
    with app.app_context():
        assert all(not i.latest.data.get("photo") for i in db.session.query(ContentItem))

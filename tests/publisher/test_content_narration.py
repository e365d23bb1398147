"""The content form's 语音播报 switch: on by default, saved on the item, shown when editing."""

from __future__ import annotations

import re

from tests.publisher import test_content_support as support
from tests.publisher.test_content_support import form_of

login, make_item, office = support.login, support.make_item, support.office


def _narration(app) -> list[bool]:  # noqa: ANN001
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        return list(db.session.scalars(select(ContentItem.narration).order_by(ContentItem.id)))


def test_narration_is_offered_on_and_saved_either_way(app, login):  # noqa: ANN001
    editor = login("editor")
    page = editor.text("/content/notice/new")
    box = re.search(r'<input[^>]*name="narration"[^>]*>', page)
    assert box and "checked" in box.group(0)
    assert "语音播报" in page
    assert editor.post("/content/notice/new", form_of("notice", narration="y", save="1")
                       ).status_code == 302  # fmt: skip
    assert editor.post("/content/notice/new", form_of("notice", save="1")).status_code == 302
    assert _narration(app) == [True, False]
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        quiet = db.session.scalars(select(ContentItem.id).order_by(ContentItem.id)).all()[1]
    edit = editor.text(f"/content/notice/{quiet}/edit")
    box = re.search(r'<input[^>]*name="narration"[^>]*>', edit)
    assert box and "checked" not in box.group(0)

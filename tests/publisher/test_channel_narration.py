"""The channel settings' 语音播报 switch: offered checked for a new channel, saved either way."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import post, text_of

org, world = support.org, support.world  # fixtures: pytest finds them as module attributes

CHANNEL = {"name": "监山三台", "slug": "jianshan-3", "group": "乡村频道", "profile": "720p",
           "primary_colour": "#112233", "accent_colour": "#ffcc00", "reading_pace": "3",
           "enabled": "1"}  # fmt: skip


def _narration(app, slug: str) -> bool:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import Channel

    with app.app_context():
        return db.session.scalars(select(Channel.narration).where(Channel.slug == slug)).one()


def test_channel_narration_switch(app, client, auth, org):  # noqa: ANN001
    auth.login("admin_a")
    form = text_of(client.get("/org/channels/new"))
    assert "语音播报" in form
    page = client.get("/org/channels/new").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="narration"[^>]*>', page)
    assert box and "checked" in box.group(0)
    assert post(client, "/org/channels/new", {**CHANNEL, "narration": "1"}).status_code == 303
    assert _narration(app, "jianshan-3") is True
    quiet = {**CHANNEL, "slug": "jianshan-4", "name": "监山四台"}
    assert post(client, "/org/channels/new", quiet).status_code == 303
    assert _narration(app, "jianshan-4") is False

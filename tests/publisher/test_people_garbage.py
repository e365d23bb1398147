"""No form of the people, organisation or import pages answers 500, whatever is posted."""

from __future__ import annotations

import io
import re

import pytest

from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import post

org = support.org  # a fixture: pytest finds it as a module attribute

GARBAGE = [
    {},
    {"name": "", "status": "", "village_ids": ["x", "-1", "99999"], "sort_order": "1e99"},
    {"name": "张" * 500, "phone": "1" * 300, "user_id": "abc", "township_id": "abc",
     "village_id": "[]", "start_time": "99:99", "end_time": "-1", "role": "root"},
    {"checkin_deadline_hour": "-5", "reading_pace": "nan", "udp_url": "udp://:", "kind": "城",
     "slug": "../../etc", "primary_colour": "#ZZZZZZ", "active": "maybe", "date": "2026-02-30"},
    {"token": "\x00\x01", "password": "x", "username": "a b", "display_name": "\u202e"},
]


def _post_routes(app) -> list[str]:  # noqa: ANN001
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("people.") and "POST" in rule.methods:
            rules.append(rule.rule)
    return sorted(rules)


@pytest.mark.parametrize("who", ["admin_a", "county"])
def test_garbage_forms_never_cause_a_500(app, client, auth, org, who):
    auth.login(who)
    ids = {"cadre_id": org.cadre, "village_id": org.zhang, "channel_id": org.a_channel,
           "user_id": org.editor, "township_id": org.a, "name": "cadres"}
    routes = _post_routes(app)
    assert len(routes) >= 15
    for rule in routes:
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule)
        for data in GARBAGE:
            response = post(client, url, dict(data))
            assert response.status_code < 500, (url, data)
        upload = {"file": (io.BytesIO(b"\x00garbage\xff" * 100), "x.xlsx"),
                  "photo": (io.BytesIO(b"GIF89a"), "x.gif"),
                  "logo": (io.BytesIO(b"\x89PNG"), "x.png")}
        response = post(client, url, upload, content_type="multipart/form-data")
        assert response.status_code < 500, (url, "upload")

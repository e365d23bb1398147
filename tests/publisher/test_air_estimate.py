"""The content form shows how long an item will air before it is submitted: the renderer's
own pagination and timing for the township's channel (issue #10, part 5)."""

from __future__ import annotations

import subprocess

import pytest

from tests.publisher import test_content_support as support
from tests.publisher.test_content_support import counts, form_of

login, make_item, office = support.login, support.make_item, support.office

LONG = "各村要组织人员逐户排查，发现隐患立即整改，确保群众生命财产安全。" * 30  # 960 chars


def _channel(app, township: int, **settings) -> None:  # noqa: ANN001
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import Channel

    with app.app_context():
        channel = db.session.scalars(select(Channel).where(Channel.township_id == township)).one()
        for key, value in settings.items():
            setattr(channel, key, value)
        db.session.commit()


def test_the_estimate_is_the_renderers_own_pages_and_times(app, login, office, make_item):
    from publisher.admin.estimate_routes import air_time_text
    from publisher.services import content
    from renderer.estimate import estimate_air_time
    from renderer.page import ReadingPace

    with app.test_request_context("/"):
        assert air_time_text(3, 80.0) == "预计播出 3 页，共 1 分 20 秒"
        assert air_time_text(1, 45.12) == "预计播出 1 页，共 46 秒"  # never promise less
        assert air_time_text(2, 120.0) == "预计播出 2 页，共 2 分钟"
    editor = login("editor")
    html = editor.text(f"/content/notice/new?township={office.a}")  # the form asks for it
    assert f'data-estimate="/content/notice/estimate?township={office.a}"' in html
    assert "estimate.js" in html
    item_id = make_item("notice")
    assert f'data-estimate="/content/notice/estimate?item={item_id}"' in editor.text(
        f"/content/notice/{item_id}/edit")
    data = form_of("notice", body=LONG, narration="y")
    answer = editor.post(f"/content/notice/estimate?township={office.a}", data)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    got = answer.get_json()
    assert got["channel"] == "监山乡村频道"
    assert got["text"].startswith(f"预计播出 {got['pages']} 页，共 ")
    assert got["pages"] == len(got["page_seconds"]) >= 3
    assert got["seconds"] == pytest.approx(sum(got["page_seconds"]))
    assert got["seconds"] >= len(LONG) / 3  # read at 3 chars/s, no cap

    with app.app_context():
        from sqlalchemy import select

        from publisher.extensions import db
        from publisher.jobs.channels import branding_for, local_today
        from publisher.models import Channel, utcnow

        channel = db.session.scalars(select(Channel).where(Channel.township_id == office.a)).one()
        payload = content.validate("notice", {**support.NOTICE, "body": LONG})
        expected = estimate_air_time(payload, profile=channel.profile,
                                     branding=branding_for(channel),
                                     today=local_today(channel, utcnow()), pace=ReadingPace(),
                                     narrated=True)
    assert got["page_seconds"] == list(expected.page_seconds)


def test_the_channels_pace_and_narration_reach_the_estimate(app, login, office):
    editor = login("editor")
    url = f"/content/notice/estimate?township={office.a}"
    data = form_of("notice", body=LONG)
    normal = editor.post(url, data).get_json()
    _channel(app, office.a, reading_pace=1.5)
    slow = editor.post(url, data).get_json()
    assert slow["seconds"] > 1.5 * normal["seconds"]  # slower reading, longer air: no cap
    assert slow["pages"] > normal["pages"]  # and less text a page
    _channel(app, office.a, reading_pace=3.0)
    spoken = editor.post(url, {**data, "narration": "y"}).get_json()
    quiet = editor.post(url, data).get_json()  # an unticked box is not sent
    assert quiet["seconds"] < spoken["seconds"]  # the voice reads slower than 3 chars/s


def test_refusals_and_no_binary_in_the_request(app, login, office, make_item, monkeypatch):
    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError(f"a process was started: {args[:1]}")

    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    editor = login("editor")
    answer = editor.post(f"/content/policy/estimate?township={office.a}", form_of("policy"))
    assert answer.status_code == 200 and answer.get_json()["pages"] >= 1
    before = counts(app)
    answer = editor.post(f"/content/policy/estimate?township={office.a}",
                         form_of("policy", title=""))
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "填好必填项后显示预计播出时长。"
    assert counts(app) == before
    forged = editor.client.post(f"/content/policy/estimate?township={office.a}",
                                data=form_of("policy"))  # no CSRF token
    assert forged.status_code != 200 and counts(app) == before


    item_id = make_item("notice")
    outsider = login("editor_b")  # another township's item
    answer = outsider.post(f"/content/notice/estimate?item={item_id}", form_of("notice"))
    assert answer.status_code == 404

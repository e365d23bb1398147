"""Recorded announcements in the admin: upload, refusal, kept across a form error, the
reviewer's player (access-controlled) and the version diff."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.publisher import test_content_support as support
from tests.publisher.test_content_support import form_of
from tests.renderer.recordings import amr_nb, webm_opus

login, make_item, office = support.login, support.make_item, support.office
pytestmark = pytest.mark.ffmpeg


@pytest.fixture(scope="module")
def memos(tmp_path_factory) -> dict[str, bytes]:  # noqa: ANN001
    folder = tmp_path_factory.mktemp("memos")
    return {"amr": amr_nb(folder / "memo.amr").read_bytes(),
            "webm": webm_opus(folder / "rec.webm").read_bytes()}


def _upload(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def _stored(app) -> list[Path]:  # noqa: ANN001
    root = Path(app.config["UPLOAD_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _latest_data(app, item_id: int) -> dict:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        return dict(db.session.get(ContentItem, item_id).latest.data)


def counts_of_items(app) -> int:  # noqa: ANN001
    from sqlalchemy import func, select

    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        return db.session.scalar(select(func.count(ContentItem.id)))


def _only_item(app) -> int:  # noqa: ANN001
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        return db.session.scalars(select(ContentItem.id)).one()


def test_the_form_states_the_limits_and_offers_the_recorder(app, login) -> None:  # noqa: ANN001
    html = login("editor").text("/content/notice/new")
    assert "录音播报（村广播）" in html and "开始录音" in html
    assert "最长 5 分钟" in html and "AMR" in html
    assert "recorder.js" in html
    assert "开始录音" not in login("editor").text("/content/produce/new")


@pytest.mark.parametrize("kind", ["notice", "policy"])
def test_an_uploaded_recording_is_stored_with_the_version(app, login, memos, kind) -> None:  # noqa: ANN001
    editor = login("editor")
    response = editor.post(f"/content/{kind}/new", {
        **form_of(kind, save="1"), "recording": _upload(memos["amr"], "语音备忘.amr")},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    data = _latest_data(app, _only_item(app))
    stored = Path(data["recording"])
    assert stored.suffix == ".amr" and stored.read_bytes() == memos["amr"]
    assert stored.is_relative_to(Path(app.config["UPLOAD_DIR"]))


@pytest.mark.parametrize(("payload", "name", "message"), [
    (b"", "empty.webm", "是空的"),
    (b"this is a text file, not audio\n" * 40, "notes.mp3", "不是可播放的录音"),
    (b"\x1aE\xdf\xa3" + b"\x00" * 300, "cut.webm", "录音"),
], ids=["empty", "text", "truncated"])
def test_a_bad_recording_is_refused_in_chinese_and_leaves_nothing(app, login, payload, name,
                                                                  message) -> None:  # noqa: ANN001
    editor = login("editor")
    response = editor.post("/content/notice/new", {
        **form_of("notice", save="1"), "recording": _upload(payload, name)},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and "has-error" in html
    assert _stored(app) == []
    assert counts_of_items(app) == 0


def test_a_recording_too_long_is_refused(app, login, tmp_path) -> None:  # noqa: ANN001
    import subprocess

    long = tmp_path / "long.webm"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anoisesrc=d=320:a=0.02",
                    "-ac", "1", "-c:a", "libopus", "-b:a", "6k", str(long)], check=True,
                   timeout=120)
    response = login("editor").post("/content/notice/new", {
        **form_of("notice", save="1"), "recording": _upload(long.read_bytes(), "long.webm")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "太长" in response.get_data(as_text=True)
    assert _stored(app) == []


def test_the_recording_is_kept_when_another_field_is_wrong(app, login, memos) -> None:  # noqa: ANN001
    editor = login("editor")
    response = editor.post("/content/notice/new", {
        **form_of("notice", title="", save="1"), "recording": _upload(memos["webm"], "录音.webm")},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "请填写标题" in html
    assert "已收到，会随这次保存一起保存" in html or "录音已收到" in html
    (kept,) = _stored(app)
    import re

    name = re.search(r'name="recording_kept" type="hidden" value="([^"]+)"', html).group(1)
    assert name == kept.name
    # Corrected and sent again without the file: the kept recording is saved with it.
    response = editor.post("/content/notice/new", {**form_of("notice", save="1"),
                                                   "recording_kept": name})
    assert response.status_code == 302
    assert _latest_data(app, _only_item(app))["recording"] == str(kept)


def test_a_kept_name_cannot_point_elsewhere(app, login) -> None:  # noqa: ANN001
    editor = login("editor")
    for name in ("../../etc/passwd", "0" * 32 + ".webm", "x.sh"):
        response = editor.post("/content/notice/new", {**form_of("notice", save="1"),
                                                       "recording_kept": name})
        assert response.status_code == 302
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import ContentVersion

    with app.app_context():
        assert all(v.data.get("recording") is None
                   for v in db.session.scalars(select(ContentVersion)))


def test_the_api_cannot_name_a_recording_path(app) -> None:  # noqa: ANN001
    from publisher.services import content
    from publisher.services.errors import FieldError

    with app.app_context(), pytest.raises(FieldError, match="录音只能在管理页面"):
        content.validate("notice", {**support.NOTICE, "recording": "/etc/passwd"})


def test_reviewer_listens_and_the_diff_says_the_recording_changed(app, login, memos,
                                                                 make_item) -> None:  # noqa: ANN001
    first = Path(app.config["UPLOAD_DIR"]) / "township-1" / "recordings" / f"{'a' * 32}.amr"
    first.parent.mkdir(parents=True)
    first.write_bytes(memos["amr"])
    item_id = make_item("notice", {**support.NOTICE, "recording": str(first)}, state="live")
    editor = login("editor")
    response = editor.post(f"/content/notice/{item_id}/edit", {
        **form_of("notice", save_submit="1"), "recording": _upload(memos["webm"], "r")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    reviewer = login("reviewer")
    page = reviewer.text(f"/review/{item_id}")
    assert f"/content/notice/{item_id}/versions/2/recording" in page and "<audio" in page
    assert "录音已更换" in page
    assert "录音已更换" in reviewer.text(f"/content/notice/{item_id}/versions/2")
    sound = reviewer.get(f"/content/notice/{item_id}/versions/2/recording")
    assert sound.status_code == 200 and sound.mimetype == "audio/webm"
    # No reviewer's copy yet (the render job makes it): the upload as it was kept.
    assert sound.data == Path(_latest_data(app, item_id)["recording"]).read_bytes()
    assert reviewer.get(f"/content/notice/{item_id}/versions/1/recording").data == memos["amr"]
    assert reviewer.get(f"/content/notice/{item_id}/versions/7/recording").status_code == 404
    # Another township's staff cannot fetch it.
    assert login("editor_b").get(
        f"/content/notice/{item_id}/versions/2/recording").status_code == 404


def test_removing_the_recording_goes_back_to_the_voice(app, login, memos, make_item) -> None:  # noqa: ANN001
    item_id = make_item("notice")
    editor = login("editor")
    editor.post(f"/content/notice/{item_id}/edit", {
        **form_of("notice", save="1"), "recording": _upload(memos["amr"], "m.amr")},
        content_type="multipart/form-data")
    assert _latest_data(app, item_id)["recording"]
    html = editor.text(f"/content/notice/{item_id}/edit")
    assert "现有录音" in html and "删除录音" in html
    editor.post(f"/content/notice/{item_id}/edit", {**form_of("notice", save="1"),
                                                    "remove_recording": "y"})
    assert _latest_data(app, item_id).get("recording") is None


def test_a_browser_recording_without_its_length_is_accepted_whole(app, login, tmp_path) -> None:  # noqa: ANN001
    """MediaRecorder writes WebM as a stream: no duration, no cues. Stored, it has both."""
    import subprocess

    from renderer import ffmpeg

    source = webm_opus(tmp_path / "r.webm")
    streamed = subprocess.run(["ffmpeg", "-v", "error", "-i", str(source), "-c", "copy",
                               "-f", "webm", "-live", "1", "pipe:1"], check=True,
                              capture_output=True, timeout=60).stdout
    (tmp_path / "streamed.webm").write_bytes(streamed)
    assert "duration" not in ffmpeg.probe(tmp_path / "streamed.webm")["format"]
    response = login("editor").post("/content/notice/new", {
        **form_of("notice", save="1"), "recording": _upload(streamed, "录音.webm")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    stored = Path(_latest_data(app, _only_item(app))["recording"])
    assert float(ffmpeg.probe(stored)["format"]["duration"]) > 5.0
    assert len(_stored(app)) == 1  # the copy replaced the upload; no temporary left


def test_an_amr_memo_plays_from_the_reviewers_copy_once_made(app, login, memos) -> None:  # noqa: ANN001
    """Browsers do not play AMR: until the render job has made the AAC copy the page says
    so, then the player serves the copy."""
    from renderer.recording import ensure_listen_copy

    editor = login("editor")
    editor.post("/content/notice/new", {
        **form_of("notice", save_submit="1"), "recording": _upload(memos["amr"], "m.amr")},
        content_type="multipart/form-data")
    item_id = _only_item(app)
    page = editor.text(f"/content/notice/{item_id}")
    assert "正在后台转换格式" in page and "<audio" not in page
    ensure_listen_copy(Path(_latest_data(app, item_id)["recording"]),
                       Path(app.config["CACHE_DIR"]))
    page = editor.text(f"/content/notice/{item_id}")
    assert "<audio" in page and "正在后台转换格式" not in page
    sound = editor.get(f"/content/notice/{item_id}/versions/1/recording")
    assert sound.status_code == 200 and sound.mimetype == "audio/aac"
    assert sound.data[:2] == b"\xff\xf1"  # an ADTS frame: AAC the browser plays


def test_recordings_from_forms_never_saved_are_removed_after_a_day(app, login, memos,
                                                                   make_item) -> None:  # noqa: ANN001
    import os
    from datetime import timedelta

    from publisher.jobs.housekeeping import prune_once
    from publisher.models import utcnow

    editor = login("editor")
    editor.post("/content/notice/new", {  # sent back (no title): the recording is kept
        **form_of("notice", title="", save="1"), "recording": _upload(memos["amr"], "a.amr")},
        content_type="multipart/form-data")
    (left,) = _stored(app)
    editor.post("/content/notice/new", {
        **form_of("notice", save="1"), "recording": _upload(memos["webm"], "b.webm")},
        content_type="multipart/form-data")
    saved = Path(_latest_data(app, _only_item(app))["recording"])
    prune_once(app)
    assert set(_stored(app)) == {left, saved}  # less than a day old: the editor may be back
    two_days_ago = (utcnow() - timedelta(days=2)).timestamp()
    for path in (left, saved):
        os.utime(path, (two_days_ago, two_days_ago))
    prune_once(app)
    assert _stored(app) == [saved]  # the one a version names stays


def test_the_air_estimate_counts_the_recording(app, login, office, memos, make_item) -> None:  # noqa: ANN001
    editor = login("editor")
    url = f"/content/notice/estimate?township={office.a}"
    plain = editor.post(url, form_of("notice")).get_json()
    just_recorded = editor.post(url, {**form_of("notice"), "recording_seconds": "95.5"})
    assert just_recorded.get_json()["seconds"] >= 95.5 > plain["seconds"]
    # A saved recording is measured on the server (an espeak sentence of ~10 s).
    item_id = make_item("notice")
    editor.post(f"/content/notice/{item_id}/edit", {
        **form_of("notice", body="短。", save="1"), "recording": _upload(memos["amr"], "m.amr")},
        content_type="multipart/form-data")
    answer = editor.post(f"/content/notice/estimate?item={item_id}",
                         form_of("notice", body="短。")).get_json()
    short = editor.post(url, form_of("notice", body="短。")).get_json()
    assert answer["seconds"] > short["seconds"] or answer["seconds"] >= 10.0
    assert answer["seconds"] >= 10.0

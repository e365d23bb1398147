"""Video items in the admin: the form states the limits, a bad file is refused in Chinese
and leaves nothing behind, a good one is kept across a form error, submitting transcodes it
in the background, and the reviewer plays the transcoded clip (access-controlled)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.publisher import test_content_support as support
from tests.renderer import clips

login, office = support.login, support.office
pytestmark = pytest.mark.ffmpeg


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    d = tmp_path_factory.mktemp("uploads")
    return {"portrait": clips.portrait_rotated(d / "phone.mp4", seconds=2.0).read_bytes(),
            "text": clips.text_as_mp4(d / "notice.mp4").read_bytes(),
            "audio": clips.audio_only(d / "song.mp4").read_bytes()}  # fmt: skip


def _stored(app) -> list[Path]:  # noqa: ANN001
    root = Path(app.config["UPLOAD_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _items(app) -> list:  # noqa: ANN001
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        return [(i.id, dict(i.latest.data), i.latest.state)
                for i in db.session.scalars(select(ContentItem))]  # fmt: skip


def _post(staff, url: str, upload: bytes | None = None, **fields: str):  # noqa: ANN001, ANN202
    data = {"title": "稻谷丰收了", "category": "农产品", "caption_style": "下方字幕条",
            "priority": "0", **fields}  # fmt: skip
    if upload is not None:
        data["video"] = (io.BytesIO(upload), "VID_20261122.mp4")
    return staff.post(url, data, content_type="multipart/form-data")


def test_the_form_states_the_limits_before_upload(app, login) -> None:  # noqa: ANN001
    html = login("editor").text("/content/video/new")
    assert "MP4、MOV、3GP、WebM" in html and "最长 10 分钟" in html and "200 MB" in html
    assert 'type="file"' in html and 'accept="video/mp4' in html


@pytest.mark.parametrize(("name", "says"), [("text", "不是可播放的视频"), ("audio", "没有画面")])
def test_a_bad_file_is_refused_in_chinese_and_leaves_nothing(app, login, files, name, says) -> None:  # noqa: ANN001, E501
    response = _post(login("editor"), "/content/video/new", files[name], save="1")
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)
    assert _stored(app) == [] and _items(app) == []


def test_a_good_clip_is_kept_across_a_form_error_then_transcoded_and_played(
    app, login, files  # noqa: ANN001
) -> None:
    from publisher.jobs.prerender import run_prerenders

    editor = login("editor")
    response = _post(editor, "/content/video/new", files["portrait"], title="", save="1")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "已收到上传的视频" in html
    (stored,) = _stored(app)
    kept = stored.name
    assert f'value="{kept}"' in html
    response = _post(editor, "/content/video/new", None, video_kept=kept, trim_in="0.2",
                     save_submit="1")  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    ((item_id, data, state),) = _items(app)
    assert Path(data["video"]) == stored and data["trim_in"] == 0.2 and state == "pending"
    page = editor.text(f"/content/video/{item_id}")
    assert "等待转码" in page
    with app.app_context():
        assert run_prerenders() == 1  # the content lane's background job: the transcode
    reviewer = login("reviewer")
    page = reviewer.text(f"/review/{item_id}")
    assert f"/content/video/{item_id}/versions/1/clip.mp4" in page and "<video" in page
    clip = reviewer.get(f"/content/video/{item_id}/versions/1/clip.mp4")
    assert clip.status_code == 200 and clip.mimetype == "video/mp4"
    assert clip.get_data()[4:8] == b"ftyp"
    progress = reviewer.get(f"/content/video/{item_id}/versions/1/progress").get_json()
    assert progress[0]["ready"] and progress[0]["seconds"] == pytest.approx(1.92)
    # The TV preview of a video item: its poster frame, from the clip made once.
    queued = editor.post(f"/content/video/{item_id}/preview").get_json()
    with app.app_context():
        from publisher.extensions import db
        from publisher.jobs.clock import run_preview
        from publisher.models import Job

        assert run_preview(db.session.get(Job, queued["job"]))
    (poster,) = editor.get(queued["status_url"]).get_json()["pages"]
    assert poster["duration_s"] == pytest.approx(1.92)
    shown = editor.get(poster["url"])
    assert shown.status_code == 200 and shown.get_data()[:4] == b"\x89PNG"
    # Another township's staff: not found, like a clip that does not exist.
    assert login("editor_b").get(f"/content/video/{item_id}/versions/1/clip.mp4").status_code == 404


def test_a_clip_larger_than_a_photo_upload_is_taken_by_the_video_form_only(
    app, login, tmp_path  # noqa: ANN001
) -> None:
    big = clips.large(tmp_path / "big.mp4").read_bytes()
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]
    editor = login("editor")
    response = _post(editor, "/content/video/new", big, save="1")
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    (stored,) = _stored(app)
    assert stored.read_bytes() == big
    # Every other form keeps the small limit, and its own words about it.
    refused = editor.post("/content/produce/new", {"photo": (io.BytesIO(big), "a.jpg")},
                          content_type="multipart/form-data")  # fmt: skip
    assert refused.status_code == 413 and "10 MB" in refused.get_data(as_text=True)


def test_the_api_door_refuses_a_path_for_the_video(app, office) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import Township, User
    from publisher.services import content
    from publisher.services.errors import ServiceError

    with app.app_context():
        editor = db.session.get(User, office.editor)
        with pytest.raises(ServiceError, match="只能在管理页面上传"):
            content.create_item(editor, db.session.get(Township, office.a), "video",
                                {"title": "稻谷", "video": "/etc/passwd"})  # fmt: skip

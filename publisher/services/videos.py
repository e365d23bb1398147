"""Uploaded video clips: checked with ffprobe, then kept as they came.

A file is trusted only once :func:`renderer.media_probe.probe_upload` has read it as a video
within the limits: the name and the browser's declared type mean nothing. The upload is
written under a temporary name and renamed into place only when accepted, so a refused file
leaves nothing behind. Transcoding is the render job's (``renderer.video``), never the
request's.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import IO, Any, Protocol

from flask import current_app
from flask_babel import gettext as _

from publisher.services.errors import ServiceError
from renderer.atomic import put_in_place, temp_beside
from renderer.media_probe import (
    VIDEO_CONTAINER_LABEL,
    VIDEO_MAX_BYTES,
    VIDEO_MAX_SECONDS,
    MediaRejected,
    probe_upload,
)

FOLDER = "videos"  # under the township's upload folder
EXTENSIONS = {"mov,mp4,m4a,3gp,3g2,mj2": ".mp4", "matroska,webm": ".webm"}
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(?:mp4|webm)$")
# A whole video travels in one request: the app's request limit is raised for the video
# form's post alone (every other form keeps the small limit photos need).
REQUEST_LIMIT = VIDEO_MAX_BYTES + 1024 * 1024


class FileLike(Protocol):
    filename: str | None
    stream: IO[bytes]


def limits_text() -> str:
    """The limits as the form states them, before anything is uploaded."""
    return _("支持 %(formats)s（手机拍摄、微信导出的视频均可）；最长 %(minutes)d 分钟，"
             "不超过 %(mb)d MB。", formats=VIDEO_CONTAINER_LABEL,
             minutes=VIDEO_MAX_SECONDS // 60, mb=VIDEO_MAX_BYTES // (1024 * 1024))  # fmt: skip


def folder_for(township_id: int) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / f"township-{township_id}" / FOLDER


def save_video(upload: FileLike | None, folder: Path) -> Path:
    """Check an uploaded clip and keep it in ``folder``; its path.

    Raises ServiceError (Chinese) when it is missing, empty, too big, too long, not a
    playable video, cut short or a bomb; nothing is left on disk then.
    """
    if upload is None or not getattr(upload, "filename", ""):
        raise ServiceError(_("请选择要上传的视频文件。"))
    folder.mkdir(parents=True, exist_ok=True)
    work = temp_beside(folder / "upload")
    try:
        with work.open("wb") as out:
            copied = _copy_limited(upload.stream, out, VIDEO_MAX_BYTES + 1)
        if copied > VIDEO_MAX_BYTES:
            raise ServiceError(_("视频文件太大，上限为 %(mb)d MB，请剪短或压缩后再上传。",
                                 mb=VIDEO_MAX_BYTES // (1024 * 1024)))  # fmt: skip
        try:
            info = probe_upload(work, want="video", max_seconds=VIDEO_MAX_SECONDS,
                                max_bytes=VIDEO_MAX_BYTES)  # fmt: skip
        except MediaRejected as exc:
            raise ServiceError(exc.message_zh) from None
        final = folder / f"{secrets.token_hex(16)}{EXTENSIONS[info.container]}"
        put_in_place(work, final)
        return final
    finally:
        work.unlink(missing_ok=True)


def _copy_limited(source: IO[bytes], out: IO[bytes], limit: int) -> int:
    copied = 0
    while copied < limit:
        chunk = source.read(min(1024 * 1024, limit - copied))
        if not chunk:
            break
        out.write(chunk)
        copied += len(chunk)
    out.flush()  # put_in_place flushes it to disk
    return copied


def kept(folder: Path, name: str | None) -> Path | None:
    """A clip stored earlier in ``folder`` under ``name`` (from a form that came back with
    an error), or None: only names this module gives, only in this folder."""
    if not name or not STORED_NAME.match(name):
        return None
    path = folder / name
    return path if path.is_file() else None


def clip_status(data: dict[str, Any], channels: list[Any]) -> list[dict[str, Any]]:
    """Per channel: the transcoded clip (ready, with its length), or how far its transcode
    is (0..1), or waiting. Read from the clip folders: no database, no ffmpeg."""
    from renderer.encode import encoding_for_plan
    from renderer.video import clip_folder, load_clip, progress_of, request_for_item

    cache = Path(current_app.config["CACHE_DIR"])
    request = request_for_item(data)
    rows = []
    for channel in channels:
        enc = encoding_for_plan(channel.profile)
        folder = clip_folder(cache, enc, request.key(enc))
        clip = load_clip(folder)
        rows.append({"channel": channel, "clip": clip, "folder": folder,
                     "progress": None if clip else progress_of(folder)})  # fmt: skip
    return rows

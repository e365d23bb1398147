"""Recorded announcements (村广播) uploaded or recorded in the browser: checked, then kept.

A file is trusted only once ffprobe has read it as audio within the limits
(:func:`renderer.media_probe.probe_upload`): the name and the browser's declared type mean
nothing. A browser's WebM recording is first copied (not decoded) into a whole WebM file,
since MediaRecorder writes it as a stream, without its length. The upload is written under
a temporary name and renamed into place only when accepted, so a refused file leaves
nothing behind. It is kept as it came (an AMR memo stays AMR): the render job decodes,
normalises and mixes it in the background (:mod:`renderer.recording`), never the request.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import IO, Protocol

from flask import current_app
from flask_babel import gettext as _

from publisher.services.errors import ServiceError
from renderer import ffmpeg
from renderer.atomic import put_in_place, temp_beside
from renderer.media_probe import (
    AUDIO_CONTAINER_LABEL,
    AUDIO_MAX_BYTES,
    AUDIO_MAX_SECONDS,
    MediaRejected,
    probe_upload,
)

FOLDER = "recordings"  # under the township's upload folder
# The file's extension by what ffprobe found (not by what the browser said).
EXTENSIONS = {"mov,mp4,m4a,3gp,3g2,mj2": ".m4a", "matroska,webm": ".webm", "ogg": ".ogg",
              "mp3": ".mp3", "wav": ".wav", "amr": ".amr", "aac": ".aac"}  # fmt: skip
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(?:m4a|webm|ogg|mp3|wav|amr|aac)$")
MIMETYPES = {".m4a": "audio/mp4", ".webm": "audio/webm", ".ogg": "audio/ogg",
             ".mp3": "audio/mpeg", ".wav": "audio/wav", ".amr": "audio/amr",
             ".aac": "audio/aac"}  # fmt: skip
REQUEST_MARGIN = 256 * 1024  # the rest of the form travels in the same request
EBML_MAGIC = b"\x1aE\xdf\xa3"  # how a WebM (Matroska) file begins
REMUX_TIMEOUT_S = 30  # a copy without decoding: well under a second for five minutes
# A recording kept from a form that came back with an error, and never saved with a
# version: a day to come back to the form, then it goes.
UNCLAIMED_AFTER = timedelta(days=1)
log = logging.getLogger(__name__)


class FileLike(Protocol):
    """What a Werkzeug ``FileStorage`` offers that we use."""

    filename: str | None
    stream: IO[bytes]


def max_bytes() -> int:
    """The largest recording accepted: the probe's limit, or what a request may carry."""
    request_limit = current_app.config.get("MAX_CONTENT_LENGTH") or AUDIO_MAX_BYTES
    return min(AUDIO_MAX_BYTES, int(request_limit) - REQUEST_MARGIN)


def limits_text() -> str:
    """The limits as the form states them."""
    return _("支持 %(formats)s；最长 %(minutes)d 分钟，不超过 %(mb)d MB。",
             formats=AUDIO_CONTAINER_LABEL, minutes=AUDIO_MAX_SECONDS // 60,
             mb=max_bytes() // (1024 * 1024))


def folder_for(township_id: int) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / f"township-{township_id}" / FOLDER


def save_recording(upload: FileLike | None, folder: Path) -> Path:
    """Check an uploaded recording and keep it in ``folder``; its path.

    Raises ServiceError (Chinese) when it is missing, empty, too big, too long, not audio or
    cut short; nothing is left on disk then.
    """
    if upload is None or not getattr(upload, "filename", ""):
        raise ServiceError(_("请先录音，或选择要上传的录音文件。"))
    limit = max_bytes()
    work = temp_beside(folder / "upload")
    try:
        with work.open("wb") as out:
            copied = _copy_limited(upload.stream, out, limit + 1)
        if copied > limit:
            raise ServiceError(_("录音文件太大，上限为 %(mb)d MB，请缩短后再上传。",
                                 mb=limit // (1024 * 1024)))
        remuxed = _remuxed_webm(work)
        try:
            keep = remuxed or work
            try:
                info = probe_upload(keep, want="audio", max_seconds=AUDIO_MAX_SECONDS,
                                    max_bytes=limit)
            except MediaRejected as exc:
                raise ServiceError(exc.message_zh) from None
            name = f"{secrets.token_hex(16)}{EXTENSIONS.get(info.container, '.audio')}"
            final = folder / name
            put_in_place(keep, final)
            return final
        finally:
            if remuxed is not None:
                remuxed.unlink(missing_ok=True)
    finally:
        work.unlink(missing_ok=True)


def _remuxed_webm(work: Path) -> Path | None:
    """A browser's recording (WebM, written as it streamed: no duration, no cues) copied
    undecoded into a whole WebM beside it, so the probe can read its length and a player
    can seek; None for any other file, or one ffmpeg cannot copy (the probe says why)."""
    with work.open("rb") as f:
        if f.read(4) != EBML_MAGIC:
            return None
    out = temp_beside(work, ".webm")
    try:
        ffmpeg.run(ffmpeg.audio_remux_cmd(work, out, "webm"), timeout=REMUX_TIMEOUT_S)
    except ffmpeg.FFmpegError:
        out.unlink(missing_ok=True)
        return None
    return out


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
    """A recording stored earlier in ``folder`` under ``name`` (from a form that came back
    with an error), or None: only names this module gives, only in this folder."""
    if not name or not STORED_NAME.match(name):
        return None
    path = folder / name
    return path if path.is_file() else None


def duration_s(path: Path) -> float:
    """How long a stored recording plays (ffprobe; remembered per file version)."""
    try:
        st = path.stat()
    except OSError:
        return 0.0
    return _duration(str(path), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=256)
def _duration(path: str, size: int, mtime_ns: int) -> float:
    try:
        info = probe_upload(Path(path), want="audio", max_seconds=AUDIO_MAX_SECONDS + 60,
                            max_bytes=size + 1)
    except MediaRejected:
        return 0.0
    return info.duration_s


def mimetype(path: Path) -> str:
    return MIMETYPES.get(path.suffix, "application/octet-stream")



def unclaimed(stored: Iterable[tuple[Path, datetime]], claimed: set[str],
              now: datetime) -> list[Path]:  # fmt: skip
    """Stored recordings no version names, older than :data:`UNCLAIMED_AFTER` (pure)."""
    return [path for path, mtime in stored
            if str(path) not in claimed and now - mtime > UNCLAIMED_AFTER]


def prune_unclaimed(now: datetime) -> int:
    """Remove recordings left by forms never saved (see :func:`unclaimed`); how many."""
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import ContentVersion

    root = Path(current_app.config["UPLOAD_DIR"])
    stored = []
    for path in root.glob(f"township-*/{FOLDER}/*"):
        if STORED_NAME.match(path.name):
            try:
                stored.append((path, datetime.fromtimestamp(path.stat().st_mtime, UTC)))
            except FileNotFoundError:
                continue
    if not stored:
        return 0
    claimed = {str(data.get("recording")) for data in db.session.scalars(
        select(ContentVersion.data)) if isinstance(data, dict) and data.get("recording")}
    gone = unclaimed(stored, claimed, now)
    for path in gone:
        path.unlink(missing_ok=True)
        log.info("removed a recording no version kept: %s", path.name)
    return len(gone)

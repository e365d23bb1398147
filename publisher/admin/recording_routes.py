"""Recorded announcements in the content form, and the player's file for staff.

The form's ``recording`` field is checked and stored while the form validates
(:class:`publisher.admin.forms.RecordingFields`); here the view learns which recording the
new version carries, and staff who may see the item fetch it to listen (the reviewer's
copy at the channel's level once the render job has made it, the upload as it came until
then).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import abort, current_app, request, send_file

from publisher.admin import bp
from publisher.admin.access import load_item, staff_only
from publisher.models import Township
from publisher.services import recordings


def has_recording(form: Any) -> bool:
    return hasattr(form, "recording_kept")


def prepare(form: Any, township: Township) -> None:
    """Let ``form`` keep an uploaded recording in the township's folder as it validates."""
    if has_recording(form):
        form.recording_folder = recordings.folder_for(township.id)


def recording_for(form: Any, previous: str | None, township: Township) -> str | None:
    """The recording the saved version carries: one just kept, none, or the previous."""
    kept = recordings.kept(recordings.folder_for(township.id), form.recording_kept.data)
    if kept is not None:
        return str(kept)
    if form.remove_recording.data:
        return None
    return previous


def estimated_seconds(form: Any, previous: str | None, township: Township) -> float:
    """How long the recording the form will save plays, for the air-time estimate: one just
    made in the browser (the recorder says how long; it is not uploaded until saved), one
    kept from a post sent back, or the previous version's; 0 without one."""
    if not has_recording(form):
        return 0.0
    try:
        fresh = float(request.form.get("recording_seconds") or 0)
    except ValueError:
        fresh = 0.0
    if 0 < fresh <= recordings.AUDIO_MAX_SECONDS:
        return fresh
    path = recording_for(form, previous, township)
    return recordings.duration_s(Path(path)) if path else 0.0


def form_context(form: Any) -> dict[str, Any]:
    """What the form's recorder needs: its limits, and whether a recording was kept from
    a post that came back with errors."""
    if not has_recording(form):
        return {}
    return {"recording_limits": recordings.limits_text(),
            "recording_max_bytes": recordings.max_bytes(),
            "recording_max_seconds": recordings.AUDIO_MAX_SECONDS,
            "recording_kept": bool(form.recording_kept.data)}


# What every phone and desktop browser plays as it came; an AMR memo waits for its copy.
BROWSER_PLAYS = frozenset({".webm", ".ogg", ".mp3", ".m4a", ".aac", ".wav"})


@bp.app_template_global()
def recording_playable(recording: str | None) -> bool:
    """Whether the player can play ``recording`` now: the browser plays the upload as it
    came, or the reviewer's copy is made."""
    if not recording:
        return False
    path = str(recording)
    return Path(path).suffix in BROWSER_PLAYS or _reviewer_copy(path) is not None


def _reviewer_copy(recording: str) -> Path | None:
    """The render job's copy of ``recording`` at the channel's level, if it is made."""
    from renderer.recording import listen_copy_path

    try:
        st = Path(recording).stat()
    except OSError:
        return None
    digest = _digest(recording, st.st_size, st.st_mtime_ns)
    copy = listen_copy_path(Path(current_app.config["CACHE_DIR"]), digest)
    return copy if copy.is_file() else None


@lru_cache(maxsize=256)
def _digest(path: str, size: int, mtime_ns: int) -> str:
    """The recording's digest, read once per file version (a player asks in many ranges)."""
    from renderer.recording import file_digest

    return file_digest(Path(path))


@bp.route("/content/<kind>/<int:item_id>/versions/<int:number>/recording")
@staff_only()
def version_recording(kind: str, item_id: int, number: int):  # noqa: ANN201
    """A version's recording, for the ``<audio>`` player of the review and item pages."""
    item = load_item(kind, item_id)
    version = next((v for v in item.versions if v.number == number), None)
    recording = (version.data or {}).get("recording") if version is not None else None
    if not recording:
        abort(404)
    if not Path(str(recording)).is_file():
        abort(404)
    path = _reviewer_copy(str(recording)) or Path(str(recording))
    response = send_file(path, mimetype=recordings.mimetype(path), conditional=True,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response

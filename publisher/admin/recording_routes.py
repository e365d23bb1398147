"""Recorded announcements in the content form, and the player's file for staff.

The form's ``recording`` field is checked and stored while the form validates
(:class:`publisher.admin.forms.RecordingFields`); here the view learns which recording the
new version carries, and staff who may see the item fetch it to listen (the reviewer's
copy at the channel's level once the render job has made it, the upload as it came until
then).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, current_app, send_file

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


def form_context(form: Any) -> dict[str, Any]:
    """What the form's recorder needs: its limits, and whether a recording was kept from
    a post that came back with errors."""
    if not has_recording(form):
        return {}
    return {"recording_limits": recordings.limits_text(),
            "recording_max_bytes": recordings.max_bytes(),
            "recording_max_seconds": recordings.AUDIO_MAX_SECONDS,
            "recording_kept": bool(form.recording_kept.data)}


def _audio_file(recording: str) -> Path:
    from renderer.recording import file_digest, listen_copy_path

    original = Path(recording)
    if not original.is_file():
        abort(404)
    copy = listen_copy_path(Path(current_app.config["CACHE_DIR"]), file_digest(original))
    return copy if copy.is_file() else original


@bp.route("/content/<kind>/<int:item_id>/versions/<int:number>/recording")
@staff_only()
def version_recording(kind: str, item_id: int, number: int):  # noqa: ANN201
    """A version's recording, for the ``<audio>`` player of the review and item pages."""
    item = load_item(kind, item_id)
    version = next((v for v in item.versions if v.number == number), None)
    recording = (version.data or {}).get("recording") if version is not None else None
    if not recording:
        abort(404)
    path = _audio_file(str(recording))
    response = send_file(path, mimetype=recordings.mimetype(path), conditional=True,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response

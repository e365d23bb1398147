"""What a content item may hold: every door's check of an item's data and airing.

Each kind's fields are declared once (:mod:`renderer.kinds`); :func:`validate` cleans data by
that declaration and adds the checks only the publisher can make (an upload lies in the
upload folder, a phone number can be dialled). Used by the review workflow
(:mod:`publisher.services.content`) and by the doors that check before they store.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from publisher.services.errors import FieldError, ServiceError
from publisher.services.phones import check_phones_in_text, clean_phone
from renderer.declare import ALERT, CONTACT, PHONE, PHOTO, RECORDING, REVIEWED
from renderer.kinds import KINDS

STORED = (REVIEWED, ALERT)  # the sources of the kinds kept as content items
# How soon a version airs within its category's rotation, highest first (see
# playlists.timeline): 普通, 重要, 置顶. Steps of five leave room for a level in between.
NORMAL, IMPORTANT, PINNED = PRIORITIES = (0, 5, 10)
# How a phone field is checked, by its declared type: a produce card's number becomes a QR
# code to call, so it must be one number; a contact line is free text with numbers in it.
PHONE_CHECKS: dict[str, Callable[[str, str], str]] = {
    PHONE: clean_phone, CONTACT: check_phones_in_text}


def title_of(kind: str, data: dict[str, Any]) -> str:
    """The list title of an item: the field its declaration titles it by (produce: product)."""
    declared = KINDS.get(kind)
    return str(data.get(declared.title_field if declared else "title") or "").strip()


def validate(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Check ``data`` by the kind's field declaration (``renderer.fields``) and return it as
    stored: cleaned of invisible characters, numbers and dates normalised, only declared
    fields. Raises ServiceError (FieldError naming the field) in Chinese.

    Every door (form, API, import, CLI, alerts) stores content through here.
    """
    from renderer.fields import clean_item
    from renderer.item_parser import parse_item
    from renderer.items import ItemError

    declared = KINDS.get(kind)
    if declared is None or declared.source not in STORED:
        raise ServiceError(_("未知的内容类型：%(kind)s", kind=kind))
    try:
        payload = {**clean_item(kind, data), "type": kind}
    except ItemError as exc:
        field = getattr(exc, "field", None)
        raise (FieldError(field, str(exc)) if field else ServiceError(str(exc))) from exc
    for f in declared.fields:
        if f.upload and payload.get(f.name) is not None:
            payload[f.name] = _uploaded(f.type, f.name, payload[f.name])
        check = PHONE_CHECKS.get(f.type)
        if check is not None and payload.get(f.name) not in (None, ""):
            payload[f.name] = check(str(payload[f.name]), f.name)
    try:
        parse_item(payload)
    except ItemError as exc:
        raise ServiceError(str(exc)) from exc
    if not title_of(kind, data):
        raise ServiceError(_("标题不能为空。"))
    return payload


def _uploaded(kind: str, field: str, path: str) -> str:
    """A stored upload (photo, recording, clip), only if it names a file in the upload
    folder.

    Uploads come in through the admin, never as a path a client names: anything else is
    refused with the same words whether or not such a file exists.
    """
    upload_dir = Path(current_app.config["UPLOAD_DIR"]).resolve()
    if Path(path).is_absolute() and Path(path).resolve().is_relative_to(upload_dir):
        return path
    if kind == PHOTO:
        raise FieldError(field, _("照片只能在管理页面上传，不能填写文件路径。"))
    if kind == RECORDING:
        raise FieldError(field, _("录音只能在管理页面录制或上传，不能填写文件路径。"))
    raise FieldError(field, _("视频只能在管理页面上传，不能填写文件路径。"))


def check_window(valid_from: datetime | None, valid_until: datetime | None) -> None:
    if valid_from and valid_until and valid_until <= valid_from:
        raise ServiceError(_("下线时间必须晚于上线时间。"))


def check_priority(value: Any) -> int:
    """One of :data:`PRIORITIES` (an int, or its digits as text), else a FieldError."""
    if isinstance(value, str) and value.strip().isdecimal():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value not in PRIORITIES:
        raise FieldError("priority", _("优先级只能是普通（0）、重要（5）或置顶（10）。"))
    return value

"""The fields of each reviewed content kind, declared once, and the one check every door runs.

The admin forms, the JSON API, the spreadsheet import and the CLI all store an item through
:func:`clean_item`, and the renderer's parser reads the same :data:`FIELDS`; so a value is
accepted or refused alike wherever it is typed, and what is stored is exactly what airs.
Pure: no Flask, no database; messages are Chinese and name the field by its label.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from renderer.items import ItemError
from renderer.sanitise import clean_text  # the one cleaning of every value

# Field types.
TEXT = "text"  # one line
LONG = "long"  # several paragraphs
LINES = "lines"  # a list of one-line entries (steps, documents)
DATE = "date"  # YYYY-MM-DD
PRICE = "price"  # yuan, up to two decimals
PHONE = "phone"  # one line; the publisher checks the numbers in it
PHOTO = "photo"  # set only by an upload: never a path a client names
RECORDING = "recording"  # a recorded announcement: an upload too (renderer.recording)
CHOICE = "choice"
VIDEO = "video"  # an uploaded clip: an upload too, checked by renderer.media_probe
SECONDS = "seconds"  # a point in a clip: seconds (12.5) or minutes:seconds (1:05)

LONG_TEXT = 4000  # characters; a policy body longer than this would air for many minutes
LIST_TEXT = 3000  # characters over all entries of a list
# A typo such as 0202 or 20250 must not reach time-zone arithmetic or a guide.
YEARS = (2000, 2099)
PRICE_MAX = 9_999_999.99  # the price box on a produce card fits seven digits
PRICE_TEXT = re.compile(r"^\d{1,7}(\.\d{1,2})?$")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = TEXT
    limit: int = 0  # characters; 0 = no limit of its own
    required: bool = False
    choices: tuple[str, ...] = ()


_CONTACT = Field("contact", "咨询电话", PHONE, 40)
# Read out in place of the synthesised narration, on the kinds whose pages are read.
_RECORDING = Field("recording", "录音", RECORDING)
NOTICE_CATEGORIES = ("通知公告", "村务公开")
# A caption burned into a video: a title strip across the top, or a lower third (stored in
# the words staff read, as notice categories are; renderer.video maps them to its styles).
CAPTION_STYLES = ("顶部标题条", "下方字幕条")
CLIP_SECONDS_MAX = 3600  # a trim point past any upload's length is a typo

FIELDS: dict[str, tuple[Field, ...]] = {
    "policy": (
        Field("title", "政策名称", TEXT, 60, True),
        Field("category", "政策类别", TEXT, 20),
        Field("eligibility", "补贴对象", LONG, LONG_TEXT),
        Field("amount", "补贴标准", TEXT, 40),
        Field("how_to_apply", "申请办法", LONG, LONG_TEXT),
        Field("deadline", "申请截止日期", DATE),
        Field("source_document", "政策依据", TEXT, 200),
        _CONTACT,
        Field("body", "政策说明", LONG, LONG_TEXT),
        _RECORDING,
    ),
    "service": (
        Field("title", "事项名称", TEXT, 60, True),
        Field("steps", "办理步骤", LINES, LIST_TEXT),
        Field("documents", "所需材料", LINES, LIST_TEXT),
        Field("location", "办理地点", TEXT, 40),
        Field("office_hours", "办公时间", TEXT, 40),
        Field("time_limit", "办理时限", TEXT, 40),
        Field("fee", "收费标准", TEXT, 40),
        _CONTACT,
        _RECORDING,
    ),
    "produce": (
        Field("product", "产品名称", TEXT, 20, True),
        Field("village", "所在村", TEXT, 20),
        Field("seller", "卖家", TEXT, 20),
        Field("price", "价格（元）", PRICE),  # the pattern bounds it: 7 digits, 2 decimals
        Field("unit", "单位", TEXT, 6),
        Field("quantity", "供应数量", TEXT, 20),
        Field("photo", "产品照片", PHOTO),
        Field("phone", "联系电话", PHONE, 30),
        Field("available_until", "供应截止日期", DATE),
        Field("description", "产品介绍", LONG, LONG_TEXT),
    ),
    "notice": (
        Field("title", "标题", TEXT, 60, True),
        Field("body", "正文", LONG, LONG_TEXT),
        Field("category", "类别", CHOICE, choices=NOTICE_CATEGORIES),
        Field("issued_by", "发布单位", TEXT, 40),
        Field("date", "发布日期", DATE),
        _RECORDING,
    ),
    "video": (
        Field("title", "标题", TEXT, 60, True),
        Field("category", "类别", TEXT, 20),
        Field("video", "视频文件", VIDEO, required=True),
        Field("trim_in", "开始位置", SECONDS),
        Field("trim_out", "结束位置", SECONDS),
        Field("caption", "字幕文字", TEXT, 30),
        Field("caption_style", "字幕样式", CHOICE, choices=CAPTION_STYLES),
    ),
    # Issued straight to air by the emergency workflow, never reviewed: cleaned all the same.
    "alert": (
        Field("title", "标题", TEXT, 60, True),
        Field("body", "内容", LONG, 1000),
        Field("severity", "级别", TEXT, 10),
        Field("issued_by", "发布单位", TEXT, 40),
        Field("expires", "失效时间", TEXT, 40),
    ),
}


def field(kind: str, name: str) -> Field:
    """The declaration of one field (KeyError if the kind has no such field)."""
    return next(f for f in FIELDS[kind] if f.name == name)


def _fail(f: Field, message: str) -> ItemError:
    error = ItemError(f"“{f.label}”{message}")
    error.field = f.name  # the door shows the message next to this field
    return error


def _as_text(f: Field, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail(f, "必须是文字。")
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(f, "不是有效的内容。")
    return str(value)


def _clean_price(f: Field, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail(f, "请填写数字，例如 4.5。")
    if isinstance(value, int | float) and not isinstance(value, str):
        if not math.isfinite(value) or not 0 <= value <= PRICE_MAX:
            raise _fail(f, f"应在 0 到 {PRICE_MAX:.0f} 元之间。")
        value = f"{value:.2f}".rstrip("0").rstrip(".")
    text = clean_text(value)
    if not PRICE_TEXT.match(text):
        raise _fail(f, "请填写数字，例如 4.5（不能为负数，最多 7 位整数和 2 位小数）。")
    return text


def _clean_date(f: Field, value: Any) -> str:
    text = clean_text(_as_text(f, value))
    if not text:
        return ""
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        raise _fail(f, "的日期格式应为 2026-12-31。") from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise _fail(f, f"的年份应在 {YEARS[0]} 到 {YEARS[1]} 之间，请检查。")
    return day.isoformat()


def _clean_lines(f: Field, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise _fail(f, "应为多行文字（每行一项）。")
    lines = []
    for i, entry in enumerate(value):
        try:
            lines.append(clean_text(_as_text(f, entry)))
        except ItemError as exc:
            exc.field = f"{f.name}[{i}]"
            raise
    lines = [line for line in lines if line]
    if f.limit and sum(len(line) for line in lines) > f.limit:
        raise _fail(f, f"合计不能超过 {f.limit} 个字。")
    return lines


_CLOCK = re.compile(r"^(?:(\d{1,2}):)?(\d{1,4}(?:\.\d{1,2})?)$")


def _clean_seconds(f: Field, value: Any) -> float | None:
    """A point in a clip as seconds (two decimals), from 12.5, "12.5" or "1:05.5"."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _fail(f, "请填写秒数，例如 12.5 或 1:05。")
    if isinstance(value, str):
        match = _CLOCK.match(clean_text(value).replace("：", ":"))
        if not match:
            raise _fail(f, "请填写秒数，例如 12.5 或 1:05。")
        minutes, seconds = match.groups()
        value = int(minutes or 0) * 60 + float(seconds)
    if not math.isfinite(value) or not 0 <= value <= CLIP_SECONDS_MAX:
        raise _fail(f, f"应在 0 到 {CLIP_SECONDS_MAX} 秒之间。")
    return round(float(value), 2)


def clean_value(f: Field, value: Any) -> Any:
    """One field's value as it is stored and aired, or an ItemError in Chinese."""
    if f.type == PRICE:
        out: Any = _clean_price(f, value)
    elif f.type == DATE:
        out = _clean_date(f, value)
    elif f.type == LINES:
        out = _clean_lines(f, value)
    elif f.type == SECONDS:
        out = _clean_seconds(f, value)
    elif f.type in (PHOTO, RECORDING, VIDEO):
        # Whether the path is an upload is the publisher's to check (it knows where).
        out = clean_text(_as_text(f, value)) or None
    else:
        out = clean_text(_as_text(f, value), multiline=f.type == LONG)
        if f.limit and len(out) > f.limit:
            raise _fail(f, f"不能超过 {f.limit} 个字（现有 {len(out)} 个字）。")
        if f.choices and out and out not in f.choices:
            raise _fail(f, f"只能是 {' 或 '.join(f.choices)}。")
    if f.required and not out:
        raise _fail(f, "不能为空。")
    return out


def clean_item(kind: str, data: dict[str, Any], *, strict: bool = True) -> dict[str, Any]:
    """``data`` of a content kind with every declared field checked and cleaned.

    ``strict``: a key the kind does not declare is refused (a stray value would be stored
    unchecked); otherwise such keys are passed through untouched (the renderer reading
    extras such as ``id``). Raises ItemError whose message names the field.
    """
    if not isinstance(data, dict):
        raise ItemError("内容必须是一组字段。")
    fields = FIELDS[kind]
    names = {f.name for f in fields}
    extra = {k: v for k, v in data.items() if k not in names and k != "type"}
    if strict and extra:
        raise ItemError(f"不认识的字段：{'、'.join(str(k)[:40] for k in list(extra)[:5])}。")
    cleaned = {f.name: clean_value(f, data.get(f.name)) for f in fields}
    return cleaned if strict else {**extra, **cleaned}

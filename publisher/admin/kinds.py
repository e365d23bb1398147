"""Per-kind knowledge: labels, forms, and turning a form into the item's ``data`` and back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from publisher.admin.forms import NoticeForm, PolicyForm, ProduceForm, ServiceForm
from publisher.admin.video_forms import VideoForm
from publisher.models import Kind

# Field types: how a form value becomes a data value.
TEXT, LINES, DATE = "text", "lines", "date"
# A leading "1." / "1、" / "（1）" / "第1步" typed by habit: the channel numbers steps itself.
_NUMBERING = re.compile(
    r"^\s*(?:第\s*[0-9０-９一二三四五六七八九十]+\s*步[.、．:：]?"
    r"|[0-9０-９]+\s*[.、．)）](?![0-9])"
    r"|[一二三四五六七八九十]+\s*[、．]"
    r"|[（(]\s*[0-9０-９一二三四五六七八九十]+\s*[)）])\s*"
)


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: Any  # lazy string
    form: type
    fields: tuple[tuple[str, str], ...]  # (name, type) in display order
    category_label: Any = None
    wide: tuple[str, ...] = ()

    def field_names(self) -> list[str]:
        return [name for name, _ in self.fields]


# Fields are listed in form order: short fields pair up in two columns, ``wide`` ones and
# long texts take a whole row.
KINDS: dict[str, KindSpec] = {
    Kind.POLICY: KindSpec(
        Kind.POLICY, _l("惠农政策"), PolicyForm,
        (("title", TEXT), ("category", TEXT), ("amount", TEXT), ("deadline", DATE),
         ("contact", TEXT), ("source_document", TEXT), ("eligibility", TEXT),
         ("how_to_apply", TEXT), ("body", TEXT)),
        _l("政策类别"), wide=("title", "source_document"),
    ),
    Kind.SERVICE: KindSpec(
        Kind.SERVICE, _l("办事指南"), ServiceForm,
        (("title", TEXT), ("contact", TEXT), ("location", TEXT), ("office_hours", TEXT),
         ("time_limit", TEXT), ("fee", TEXT), ("steps", LINES), ("documents", LINES)),
        _l("办理地点"),
    ),
    Kind.PRODUCE: KindSpec(
        Kind.PRODUCE, _l("特色农产品"), ProduceForm,
        (("product", TEXT), ("village", TEXT), ("seller", TEXT), ("phone", TEXT),
         ("price", TEXT), ("unit", TEXT), ("quantity", TEXT), ("available_until", DATE),
         ("description", TEXT)),
        _l("所在村"),
    ),
    Kind.NOTICE: KindSpec(
        Kind.NOTICE, _l("通知公告"), NoticeForm,
        (("title", TEXT), ("category", TEXT), ("issued_by", TEXT), ("date", DATE),
         ("body", TEXT)),
        _l("类别"), wide=("title",),
    ),
    # The clip itself is an upload (``video``), set by the view like a produce photo.
    Kind.VIDEO: KindSpec(
        Kind.VIDEO, _l("视频"), VideoForm,
        (("title", TEXT), ("category", TEXT), ("trim_in", TEXT), ("trim_out", TEXT),
         ("caption", TEXT), ("caption_style", TEXT)),
        _l("类别"), wide=("title",),
    ),
}
# Multi-line fields: a textarea over the whole row.
LONG_FIELDS = ("eligibility", "how_to_apply", "body", "steps", "documents", "description")

# Labels of data fields, for history diffs and the audit log.
FIELD_LABELS: dict[str, Any] = {
    "title": _l("标题"), "category": _l("类别"), "eligibility": _l("补贴对象"),
    "amount": _l("补贴标准"), "how_to_apply": _l("申请办法"), "deadline": _l("申请截止日期"),
    "source_document": _l("政策依据"), "contact": _l("咨询电话"), "body": _l("正文"),
    "steps": _l("办理步骤"), "documents": _l("所需材料"), "location": _l("办理地点"),
    "office_hours": _l("办公时间"), "time_limit": _l("办理时限"), "fee": _l("收费标准"),
    "product": _l("产品名称"), "village": _l("所在村"), "seller": _l("卖家"),
    "price": _l("价格（元）"), "unit": _l("单位"), "quantity": _l("供应数量"),
    "phone": _l("联系电话"), "available_until": _l("供应截止日期"),
    "description": _l("产品介绍"), "photo": _l("产品照片"), "issued_by": _l("发布单位"),
    "recording": _l("录音"),
    "date": _l("发布日期"), "valid_from": _l("上线时间"), "valid_until": _l("下线时间"),
    "priority": _l("播出优先级"), "trim_in": _l("开始位置"), "trim_out": _l("结束位置"),
    "caption": _l("字幕文字"), "caption_style": _l("字幕样式"), "timezone": _l("时区"),
    "state": _l("状态"), "data": _l("内容"), "note": _l("审核意见"), "reason": _l("退回原因"),
    "self_approval": _l("允许审核自己提交的内容"), "checkin_deadline_hour": _l("去向报告截止时间"),
    "duty_phone": _l("值班电话"), "roster_review": _l("干部分工变更需审核后播出"),
    # emergency calls and alerts (audit log)
    "severity": _l("级别"), "expires": _l("失效时间"), "is_exercise": _l("演练"),
    "phones": _l("电话号码"), "members": _l("家庭成员（人数）"),
    "medical_notes": _l("已登记健康/用药情况"),
    "call_steps": _l("呼救步骤"), "repeat_count": _l("无人接警时重复轮数"),
    "final_phone": _l("最后一步电话"), "final_instructions": _l("最后一步的提示"),
    # channel schedules (audit log): one entry per content category
    "policy": _l("惠农政策"), "service": _l("办事指南"), "produce": _l("特色农产品"),
    "notice": _l("通知公告"), "video": _l("视频"),
    "roster": _l("干部分工"), "whereabouts": _l("每日去向"),
}


def strip_numbering(line: str) -> str:
    """``"1、带身份证"`` → ``"带身份证"``; a line that is only a number stays as is."""
    stripped = _NUMBERING.sub("", line, count=1).strip()
    return stripped or line.strip()


def form_to_data(spec: KindSpec, form: Any) -> dict[str, Any]:
    """The item ``data`` (renderer shape, without ``type``) from a validated form."""
    data: dict[str, Any] = {}
    for name, ftype in spec.fields:
        value = form[name].data
        if ftype == DATE:
            data[name] = value.isoformat() if isinstance(value, date) else ""
        elif ftype == LINES:
            lines = (value or "").replace("\r\n", "\n").split("\n")
            data[name] = [strip_numbering(s) for s in lines if s.strip()]
        else:
            data[name] = (value or "").strip()
    if spec.kind == Kind.PRODUCE:
        data["photo"] = None
    return data


def data_to_form(spec: KindSpec, data: dict[str, Any]) -> dict[str, Any]:
    """Initial form values for editing stored ``data``."""
    values: dict[str, Any] = {}
    for name, ftype in spec.fields:
        value = data.get(name)
        if ftype == DATE:
            try:
                values[name] = date.fromisoformat(str(value)[:10]) if value else None
            except ValueError:
                values[name] = None
        elif ftype == LINES:
            values[name] = "\n".join(str(v) for v in value or [])
        else:
            values[name] = "" if value is None else str(value)
    return values


def summary(kind: str, data: dict[str, Any]) -> str:
    """One line under the title in lists: the facts a villager would ask about first."""
    if kind == Kind.PRODUCE:
        price = (_("%(price)s 元/%(unit)s", price=data.get("price"), unit=data.get("unit") or "")
                 if data.get("price") else "")
        parts = [price, data.get("seller"), data.get("quantity")]
    elif kind == Kind.POLICY:
        deadline = data.get("deadline")
        parts = [data.get("amount"), deadline and _("截止 %(day)s", day=deadline)]
    elif kind == Kind.SERVICE:
        parts = [data.get("time_limit"), data.get("fee")]
    elif kind == Kind.VIDEO:
        parts = [data.get("category"), data.get("caption")]
    else:
        parts = [data.get("issued_by"), data.get("date")]
    return " · ".join(str(p) for p in parts if p)


def text_for_glyph_check(data: dict[str, Any]) -> str:
    """All the text of an item that will be drawn on screen."""
    parts = []
    for key, value in data.items():
        if key in ("photo", "recording", "video", "type"):
            continue
        if isinstance(value, list):
            parts.extend(str(v) for v in value)
        elif value:
            parts.append(str(value))
    return "".join(parts)

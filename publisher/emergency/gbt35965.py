"""Reading China's early-warning messages (GB/T 35965.1 应急信息交互协议 第1部分：预警信息)
beside CAP 1.2, into the same ``CapAlert`` (pure).

``parse_alert`` tells the two apart by the root element: ``<alert>`` in the CAP 1.2
namespace is CAP; an ``<alert>`` in no namespace or another one that carries the
national profile's own fields (``<sendTime>``, ``<senderCode>`` or ``<eventType>``) is
GB/T 35965.1. Anything else is refused in Chinese.

Assumption (the standard's text is not at hand; the structure is that of the national
early-warning release system's profile as we know it, and the tests are built from it):

  alert: identifier, sender (发布单位), senderCode (发布单位编码), sendTime, status
         (Actual/Exercise/System/Test/Draft), msgType (Alert/Update/Cancel), scope
         (Public … ; Public when absent), references ("senderCode,identifier,sendTime"
         triples or bare identifiers, space separated)
  info:  language, eventType (事件类型代码, e.g. 11B03 暴雨), urgency, severity (the colour
         level: Red/Orange/Yellow/Blue, 红色/橙色/黄色/蓝色, Ⅰ–Ⅳ or 1–4; CAP words are
         accepted too), certainty, effective, expires, senderName, headline, description,
         instruction, area (areaDesc; geocode = the GB/T 2260 administrative code, as text
         or as CAP's valueName/value)

A time without an offset is Beijing time (+08:00), as the national system writes it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from xml.etree.ElementTree import Element

from publisher.emergency.cap import (
    MSG_TYPES,
    NS,
    SCOPES,
    STATUSES,
    Area,
    CapAlert,
    CapError,
    Info,
    Reference,
    cap_from_root,
    choice,
    load_root,
)

FORMAT = "GB/T 35965.1"
BEIJING = timezone(timedelta(hours=8))
# The profile's own elements: any of them at the top marks a national message.
MARKERS = ("sendTime", "senderCode")
# Colour levels, strongest first, with the CAP severity each corresponds to.
COLOURS = {"红": "Extreme", "橙": "Severe", "黄": "Moderate", "蓝": "Minor"}
_LEVEL_WORDS = {
    "red": "红", "红色": "红", "红": "红", "1": "红", "Ⅰ": "红", "I": "红", "extreme": "红",
    "orange": "橙", "橙色": "橙", "橙": "橙", "2": "橙", "Ⅱ": "橙", "II": "橙", "severe": "橙",
    "yellow": "黄", "黄色": "黄", "黄": "黄", "3": "黄", "Ⅲ": "黄", "III": "黄",
    "moderate": "黄",
    "blue": "蓝", "蓝色": "蓝", "蓝": "蓝", "4": "蓝", "Ⅳ": "蓝", "IV": "蓝", "minor": "蓝",
}
# Event type codes of the commonest meteorological warnings, for a message that gives a
# code but no <event> name; an unknown code is shown as the code itself.
EVENT_CODES = {
    "11B01": "台风", "11B03": "暴雨", "11B04": "暴雪", "11B05": "寒潮", "11B06": "大风",
    "11B07": "沙尘暴", "11B09": "高温", "11B14": "雷电", "11B15": "冰雹", "11B16": "霜冻",
    "11B17": "大雾", "11B19": "道路结冰", "11B22": "干旱",
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(parent: Element, name: str) -> Element | None:
    for node in parent:
        if _local(node.tag) == name:
            return node
    return None


def _children(parent: Element, name: str) -> list[Element]:
    return [node for node in parent if _local(node.tag) == name]


def _text(parent: Element, name: str, *, required: bool = False, where: str = "alert") -> str:
    node = _child(parent, name)
    value = (node.text or "").strip() if node is not None else ""
    if required and not value:
        raise CapError(f"预警文件缺少必填字段 <{name}>（位于 <{where}>）。")
    return value


def parse_time(value: str, field: str) -> datetime:
    """ISO 8601 or "YYYY-MM-DD HH:MM:SS"; without an offset it is Beijing time."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise CapError(f"<{field}> 的时间格式无效：{value[:40]}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def colour_of(severity: str, headline: str = "") -> str:
    """The colour level (红/橙/黄/蓝) a severity names, else the one a headline names
    ("暴雨橙色预警"), else ""; CapError for a severity that is no level at all."""
    word = severity.strip()
    colour = _LEVEL_WORDS.get(word) or _LEVEL_WORDS.get(word.lower())
    if colour:
        return colour
    if word and word.lower() not in ("unknown", "未知", "9"):
        raise CapError(f"<severity> 的值无效：{word[:20]}（应为 红/橙/黄/蓝 色预警等级）")
    for name in COLOURS:
        if f"{name}色预警" in headline:
            return name
    return ""


def _references(value: str) -> tuple[Reference, ...]:
    refs = []
    for token in value.split():
        parts = token.split(",")
        if len(parts) == 1:
            refs.append(Reference("", parts[0]))  # a bare identifier
        elif len(parts) == 3:
            refs.append(Reference(parts[0], parts[1]))
        else:
            raise CapError(f"<references> 格式无效：{token[:60]}"
                           "（应为 发送者编码,标识符,发送时间）")
    return tuple(refs)


def _area(node: Element) -> Area:
    codes = []
    for geocode in _children(node, "geocode"):
        value = _child(geocode, "value")
        code = ((value.text if value is not None else geocode.text) or "").strip()
        if code:
            codes.append(code)
    return Area(_text(node, "areaDesc", required=True, where="area"), tuple(codes))


def _info(node: Element) -> Info:
    def opt_time(name: str) -> datetime | None:
        value = _text(node, name)
        return parse_time(value, name) if value else None

    headline = _text(node, "headline")
    code = _text(node, "eventType")
    event = _text(node, "event") or EVENT_CODES.get(code, "")
    if not event and not headline:
        raise CapError("预警文件缺少 <eventType> 或 <headline>（位于 <info>）。")
    colour = colour_of(_text(node, "severity"), headline)
    return Info(language=_text(node, "language") or "zh-CN",
                event=event or (f"预警（类别 {code}）" if code else headline),
                severity=COLOURS.get(colour, "Unknown"), headline=headline,
                description=_text(node, "description"), instruction=_text(node, "instruction"),
                sender_name=_text(node, "senderName"), effective=opt_time("effective"),
                expires=opt_time("expires"),
                areas=tuple(_area(a) for a in _children(node, "area")),
                colour=colour, event_code=code)


def is_gbt(root: Element) -> bool:
    if _local(root.tag) != "alert":
        return False
    return any(_child(root, marker) is not None for marker in MARKERS) or any(
        _child(info, "eventType") is not None for info in _children(root, "info"))


def gbt_from_root(root: Element) -> CapAlert:
    """A GB/T 35965.1 message from its parsed root element."""
    msg_type = choice(_text(root, "msgType", required=True), MSG_TYPES, "msgType")
    references = _references(_text(root, "references"))
    if msg_type in ("Update", "Cancel") and not references:
        raise CapError(f"msgType={msg_type} 的预警必须包含 <references>（所引用预警的标识符）。")
    sent = _text(root, "sendTime") or _text(root, "sent")
    if not sent:
        raise CapError("预警文件缺少必填字段 <sendTime>（位于 <alert>）。")
    sender_code, sender = _text(root, "senderCode"), _text(root, "sender")
    if not (sender_code or sender):
        raise CapError("预警文件缺少必填字段 <sender>（位于 <alert>）。")
    infos = tuple(_info(i) for i in _children(root, "info"))
    # The unit's name is what viewers read; its code is what references name.
    if sender and infos and not infos[0].sender_name:
        infos = tuple(Info(**{**i.__dict__, "sender_name": sender}) for i in infos)
    return CapAlert(
        identifier=_text(root, "identifier", required=True), sender=sender_code or sender,
        sent=parse_time(sent, "sendTime"),
        status=choice(_text(root, "status", required=True), STATUSES, "status"),
        msg_type=msg_type, scope=choice(_text(root, "scope") or "Public", SCOPES, "scope"),
        references=references, infos=infos, format=FORMAT)


def parse_alert(data: bytes | str) -> CapAlert:
    """A CAP 1.2 or GB/T 35965.1 message, told apart by its root element."""
    root = load_root(data)
    if root.tag == f"{{{NS}}}alert":
        return cap_from_root(root)
    if is_gbt(root):
        return gbt_from_root(root)
    raise CapError("不是 CAP 1.2 或 GB/T 35965.1 预警文件（根元素应为 CAP 1.2 的 <alert>，"
                   "或含 <sendTime>/<senderCode> 的国家预警信息 <alert>）。")

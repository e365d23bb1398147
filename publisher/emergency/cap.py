"""Reading CAP 1.2 (Common Alerting Protocol) messages, safely and strictly (pure).

The XML is parsed with defusedxml: DTDs, entity declarations and external references are
refused, so a hostile file cannot expand itself or read local files. Anything that does
not follow the standard raises CapError with a Chinese message saying what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

NS = "urn:oasis:names:tc:emergency:cap:1.2"
MAX_BYTES = 512 * 1024
STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
SCOPES = ("Public", "Restricted", "Private")
SEVERITIES = {"Extreme": "特别严重", "Severe": "严重", "Moderate": "较重", "Minor": "一般",
              "Unknown": "未知"}


class CapError(ValueError):
    """A malformed or unusable CAP message; ``str`` is a Chinese explanation."""


@dataclass(frozen=True)
class Area:
    desc: str
    geocodes: tuple[str, ...]


@dataclass(frozen=True)
class Info:
    language: str
    event: str
    severity: str
    headline: str
    description: str
    instruction: str
    sender_name: str
    effective: datetime | None
    expires: datetime | None
    areas: tuple[Area, ...]
    # GB/T 35965.1 only: the colour level (蓝/黄/橙/红, "" if none) and the event type code.
    colour: str = ""
    event_code: str = ""


@dataclass(frozen=True)
class Reference:
    sender: str
    identifier: str


@dataclass(frozen=True)
class CapAlert:
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    references: tuple[Reference, ...]
    infos: tuple[Info, ...]
    format: str = "CAP 1.2"  # or "GB/T 35965.1" (publisher.emergency.gbt35965)

    def info(self) -> Info | None:
        """The Chinese info block if there is one, else the first."""
        for info in self.infos:
            if info.language.lower().startswith("zh"):
                return info
        return self.infos[0] if self.infos else None


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _text(parent: Element, tag: str, *, required: bool = False, where: str = "alert") -> str:
    node = parent.find(_q(tag))
    value = (node.text or "").strip() if node is not None else ""
    if required and not value:
        raise CapError(f"CAP 文件缺少必填字段 <{tag}>（位于 <{where}>）。")
    return value


def parse_time(value: str, field: str) -> datetime:
    """A CAP dateTime: with an explicit offset (``-00:00`` allowed), never naive."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CapError(f"<{field}> 的时间格式无效：{value[:40]}") from exc
    if moment.tzinfo is None:
        raise CapError(f"<{field}> 的时间缺少时区：{value[:40]}")
    return moment


def choice(value: str, allowed: tuple[str, ...], field: str) -> str:
    """``value`` if it is one of ``allowed``, else a CapError naming the field."""
    if value not in allowed:
        raise CapError(f"<{field}> 的值无效：{value[:40]}（应为 {'/'.join(allowed)}）")
    return value


def _references(value: str) -> tuple[Reference, ...]:
    refs = []
    for triple in value.split():
        parts = triple.split(",")
        if len(parts) != 3:
            raise CapError(f"<references> 格式无效：{triple[:60]}（应为 sender,identifier,sent）")
        refs.append(Reference(parts[0], parts[1]))
    return tuple(refs)


def _info(node: Element) -> Info:
    def opt_time(tag: str) -> datetime | None:
        value = _text(node, tag)
        return parse_time(value, tag) if value else None

    areas = tuple(
        Area(_text(a, "areaDesc", required=True, where="area"),
             tuple((_text(g, "value")) for g in a.findall(_q("geocode"))))
        for a in node.findall(_q("area"))
    )
    severity = _text(node, "severity", required=True, where="info")
    choice(severity, tuple(SEVERITIES), "severity")
    return Info(language=_text(node, "language") or "en-US",
                event=_text(node, "event", required=True, where="info"), severity=severity,
                headline=_text(node, "headline"), description=_text(node, "description"),
                instruction=_text(node, "instruction"), sender_name=_text(node, "senderName"),
                effective=opt_time("effective"), expires=opt_time("expires"), areas=areas)


def load_root(data: bytes | str) -> Element:
    """The root element of an alert file, parsed safely; CapError if it is not XML."""
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_BYTES:
        raise CapError(f"CAP 文件过大（超过 {MAX_BYTES // 1024} KB）。")
    if not raw.strip():
        raise CapError("CAP 文件为空。")
    try:
        root = fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise CapError("CAP 文件含有不允许的 DTD 或实体声明，已拒绝。") from exc
    except ParseError as exc:
        # ElementTree's own words are English ("not well-formed (invalid token)"): say where.
        line, column = getattr(exc, "position", (0, 0))
        raise CapError(f"CAP 文件不是有效的 XML（第 {line} 行第 {column + 1} 列附近有误，例如"
                       "标签不成对或含有非法字符）。请向预警发布方索取正确的文件。") from exc
    return root


def parse_cap(data: bytes | str) -> CapAlert:
    """The alert in ``data``; CapError if it is not a well-formed CAP 1.2 alert."""
    return cap_from_root(load_root(data))


def cap_from_root(root: Element) -> CapAlert:
    """A CAP 1.2 alert from its parsed root element."""
    if root.tag != _q("alert"):
        raise CapError(f"不是 CAP 1.2 预警文件（根元素应为 {NS} 的 <alert>）。")
    status = choice(_text(root, "status", required=True), STATUSES, "status")
    msg_type = choice(_text(root, "msgType", required=True), MSG_TYPES, "msgType")
    references = _references(_text(root, "references"))
    if msg_type in ("Update", "Cancel") and not references:
        raise CapError(f"msgType={msg_type} 的预警必须包含 <references>。")
    return CapAlert(
        identifier=_text(root, "identifier", required=True),
        sender=_text(root, "sender", required=True),
        sent=parse_time(_text(root, "sent", required=True), "sent"),
        status=status, msg_type=msg_type,
        scope=choice(_text(root, "scope", required=True), SCOPES, "scope"),
        references=references,
        infos=tuple(_info(i) for i in root.findall(_q("info"))),
    )


def _code_stem(code: str) -> str:
    """An administrative division code without the zeros that pad it to 6 or 12 digits:
    650101000000 (a county) → 650101, so it covers 650101103000 (a township in it)."""
    code = code.strip()
    if code.isdigit() and len(code) in (6, 9, 12):
        significant = len(code.rstrip("0"))
        # Levels: province, city, county (6 digits), township (9), village (12).
        return code[:next(n for n in (2, 4, 6, 9, 12) if n >= significant)]
    return code


def geocode_matches(alert_code: str, channel_code: str) -> bool:
    """Equal codes, or one division containing the other (GB/T 2260 codes by prefix)."""
    a, c = _code_stem(alert_code), _code_stem(channel_code)
    if not a or not c:
        return False
    if a == c:
        return True
    if a.isdigit() and c.isdigit() and len(a) >= 2 and len(c) >= 2:
        return c.startswith(a) or a.startswith(c)
    return False


def area_matches(alert: CapAlert, names: tuple[str, ...], geocodes: tuple[str, ...]) -> bool:
    """Whether any area of the alert is this channel's (by name contained, or by geocode,
    a division containing another matching too)."""
    for info in alert.infos:
        for area in info.areas:
            if any(geocode_matches(code, own) for code in area.geocodes for own in geocodes):
                return True
            if any(name and name in area.desc for name in names):
                return True
    return False

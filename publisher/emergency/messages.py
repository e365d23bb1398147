"""The texts of emergency SMS and calls (pure; the time is passed in, already local)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

# Replies that acknowledge an alert: "1", "１", "1 收到", "确认", "收到" (the only open
# call); "37", "回复37", "37确认", "确认 37" (call 37); "办结 37 已送医" resolves call 37.
_ACK = re.compile(r"^\s*(?:1|确认|收到|接警)(?:\s|[，,。.!！]|$)")
_ACK_CODE = re.compile(r"^\s*(?:回复|确认|收到|接警)?\s*#?(\d{2,3})\s*(?:确认|收到|接警)?"
                       r"\s*[，,。.!！]?\s*$")
_RESOLVE = re.compile(r"^\s*(?:办结|完结|BJ)\s*#?(\d{2,3})?(?:\s|[，,：:。.]|$)\s*(.*)$",
                      re.IGNORECASE | re.DOTALL)
_CODE = re.compile(r"^\s*(?:YZ|验证)?\s*(\d{6})\s*$", re.IGNORECASE)
_TEST = re.compile(r"^\s*(?:测试|CS|TEST)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class AlertFacts:
    village: str
    name: str
    kind: str
    address: str
    triggered_local: datetime
    is_drill: bool


def _who(f: AlertFacts) -> str:
    return f"{f.village}{f.name}（{f.kind}）"


def _tag(f: AlertFacts, label: str) -> str:
    return f"【演练·{label}】" if f.is_drill else f"【{label}】"


# A Chinese SMS part holds 70 UCS-2 characters (GSM 03.38): an emergency message that
# needs two parts takes twice the modem's time and may arrive half.
SMS_PART = 70
WHO_MAX = 20  # village + name + kind, cut beyond this so the address and code still fit


def _short(text: str, room: int) -> str:
    if len(text) <= room:
        return text
    return text[:max(room - 1, 0)] + "…" if room > 0 else ""


def _fit(head: str, address: str, tail: str, limit: int = SMS_PART) -> str:
    """``head`` + "地址：…。" + ``tail`` in ``limit`` characters: the address is cut first,
    then left out; the head (who called) is cut only when even that is not enough."""
    room = limit - len(head) - len(tail) - len("地址：。")
    if room >= 4 or (address and room >= len(address)):
        return f"{head}地址：{_short(address or '未登记', room)}。{tail}"
    return _short(head, limit - len(tail)) + tail


def _who_short(f: AlertFacts) -> str:
    return _short(_who(f), WHO_MAX)


def alert_text(f: AlertFacts, code: str = "1") -> str:
    """To a responder: who called, where, and the call's own reply code (one SMS part)."""
    action = "演练无需前往，" if f.is_drill else "请立即联系或前往，"
    head = f"{_tag(f, '应急呼救')}{_who_short(f)}{f.triggered_local:%H:%M}呼救，"
    return _fit(head, f.address, f"{action}回复{code or '1'}确认")


def final_text(f: AlertFacts, alerted: int, instructions: str = "", code: str = "1") -> str:
    """To the township duty phone when nobody acknowledged. The SMS passes no
    ``instructions`` (they follow in the second message, with the link); a voice call,
    which has no length limit, reads them after the rest."""
    head = (f"{_tag(f, '呼救·无人接警')}{_who_short(f)}{f.triggered_local:%H:%M}呼救，"
            f"已通知{alerted}人未确认。")
    text = _fit(head, f.address, f"请派人或拨120，回复{code or '1'}确认")
    return f"{text}{instructions.strip()}" if instructions.strip() else text


def link_text(f: AlertFacts, code: str, ack_url: str, instructions: str = "") -> str:
    """The second, lower-priority message: the acknowledgement link (and the final step's
    instructions). Not limited to one part: the first message already said everything."""
    extra = f"{instructions.strip()} " if instructions.strip() else ""
    return f"{_tag(f, '呼救' + code)}{extra}也可点此确认接警：{ack_url}"


def cancel_text(f: AlertFacts) -> str:
    return _short(f"{_tag(f, '呼救·已取消')}{_who_short(f)}的呼救经核实为误报，已取消，"
                  "无需前往。谢谢！", SMS_PART)


def ack_reply_text(f: AlertFacts, code: str = "") -> str:
    done = f"办结后请回复：办结{code} 处置结果" if code else "处理完毕请告知乡政府登记结果"
    return _short(f"已确认由您接警：{_who_short(f)}。请尽快联系或前往，{done}。", SMS_PART)


def already_handled_text(state_label: str) -> str:
    return _short(f"该呼救已{state_label}，无需再确认。谢谢！", SMS_PART)


def renotify_text(f: AlertFacts, now_local: datetime) -> str:
    """A further press on an incident someone already acknowledged."""
    head = f"{_tag(f, '应急呼救·再次呼叫')}{_who_short(f)}{now_local:%H:%M}再次呼救，"
    return _fit(head, f.address, "请尽快联系确认情况。")


def reminder_text(f: AlertFacts, code: str, minutes: int) -> str:
    """An acknowledged call nobody has resolved yet."""
    head = f"{_tag(f, '呼救·待办结')}{_who_short(f)}的呼救已接警{minutes}分钟未办结。"
    return _short(f"{head}办结请回复：办结{code} 处置结果", SMS_PART)


def which_call_text(calls: list[tuple[str, str]], asked: str = "") -> str:
    """A reply that named no call (or one not open for this number): list the open ones."""
    listed = "；".join(f"{code} {who}" for code, who in calls)
    head = f"编号{asked}不是您的未结呼救。" if asked else f"您有{len(calls)}个未结呼救，"
    return f"{head}请回复编号确认，如“{calls[0][0]}”：{listed}"


def resolve_reply_text(f: AlertFacts, note: str) -> str:
    return _short(f"已办结：{_who_short(f)}，{note}。谢谢！", SMS_PART)


def resolve_needs_note_text(code: str) -> str:
    return f"请写明处置结果，如：办结{code} 已送医"


def household_receipt_text(is_test: bool = False) -> str:
    if is_test:
        return "呼救设备测试已收到，设备工作正常。"
    return "已收到您的呼救，正在通知联系人，请保持电话畅通。如情况危急请直接拨打120。"


def device_task_text(village: str, name: str, label: str, days: int) -> str:
    return (f"【设备巡检】{village}{name}的{label}已超过{days}天未测试，"
            f"请上门检查，并协助按一次测试键（或发送“测试”）。")


def verify_text(code: str) -> str:
    return f"【乡村应急联络】您被登记为应急联系人。请回复验证码 {code} 完成核实。"


def normalize_reply(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


@dataclass(frozen=True)
class Reply:
    action: str  # acknowledge | resolve
    code: str  # "" when the reply named no call
    note: str = ""


def parse_reply(text: str) -> Reply | None:
    """What a responder's SMS asks for, or None if it is not a reply to an alert."""
    value = normalize_reply(text)
    if match := _RESOLVE.match(value):
        return Reply("resolve", match.group(1) or "", match.group(2).strip()[:500])
    if match := _ACK_CODE.match(value):
        return Reply("acknowledge", match.group(1))
    if _ACK.match(value):
        return Reply("acknowledge", "")
    return None


def is_ack(text: str) -> bool:
    """A reply to an alert: acknowledging (with or without a call's code) or resolving."""
    return parse_reply(text) is not None


def verification_code(text: str) -> str | None:
    match = _CODE.match(normalize_reply(text))
    return match.group(1) if match else None


def is_test(text: str) -> bool:
    return bool(_TEST.match(normalize_reply(text)))

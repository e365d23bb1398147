"""The texts of emergency SMS and calls (pure; the time is passed in, already local)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

# Replies that acknowledge an alert: "1", "１", "1 收到", "确认", "收到".
_ACK = re.compile(r"^\s*(?:1|确认|收到|接警)(?:\s|[，,。.!！]|$)")
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


def alert_text(f: AlertFacts, ack_url: str = "") -> str:
    """To a responder: who called, where, and how to acknowledge."""
    drill = ("这是演练，无需前往，请回复1确认收到。" if f.is_drill
             else "请立即联系或前往。回复1表示接警。")
    link = f" {ack_url}" if ack_url else ""
    return (f"{_tag(f, '应急呼救')}{_who(f)}{f.triggered_local:%H:%M}呼救，"
            f"地址：{f.address or '未登记'}。{drill}{link}")


def final_text(f: AlertFacts, alerted: int, instructions: str, ack_url: str = "") -> str:
    """To the township duty phone when nobody acknowledged."""
    extra = instructions.strip() or "如有生命危险请立即拨打120。"
    link = f" {ack_url}" if ack_url else ""
    return (f"{_tag(f, '应急呼救·无人接警')}{_who(f)}{f.triggered_local:%H:%M}呼救，"
            f"已通知{alerted}人均未确认。请立即电话联系或派人前往，{extra}"
            f"地址：{f.address or '未登记'}。回复1表示接警。{link}")


def cancel_text(f: AlertFacts) -> str:
    return f"{_tag(f, '应急呼救·已取消')}{_who(f)}的呼救经核实为误报，已取消，无需前往。谢谢！"


def ack_reply_text(f: AlertFacts) -> str:
    return f"已确认由您接警：{_who(f)}。请尽快联系或前往，处理完毕请告知乡政府登记结果。"


def already_handled_text(state_label: str) -> str:
    return f"该呼救已{state_label}，无需再确认。谢谢！"


def renotify_text(f: AlertFacts, now_local: datetime) -> str:
    """A further press on an incident someone already acknowledged."""
    return (f"{_tag(f, '应急呼救·再次呼叫')}{_who(f)}于{now_local:%H:%M}再次按下呼救，"
            f"请尽快联系确认情况。地址：{f.address or '未登记'}。")


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


def is_ack(text: str) -> bool:
    return bool(_ACK.match(normalize_reply(text)))


def verification_code(text: str) -> str | None:
    match = _CODE.match(normalize_reply(text))
    return match.group(1) if match else None


def is_test(text: str) -> bool:
    return bool(_TEST.match(normalize_reply(text)))

"""What staff read for the codes the emergency section stores (states, channels, kinds …).

One table per code, translated through Flask-Babel: pages and flashes show
``label(table, code)``; a code with no label is shown as is, so a new code is visible rather
than blank. Text stored in the database or sent by SMS does not come from here: it stays in
the source language whatever the reader's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

# The language the labels are written in (there is no catalog for it: gettext returns them).
SOURCE_LOCALE = "zh"

INCIDENT_STATES = {"triggered": _l("呼救中"), "acknowledged": _l("已接警"),
                   "resolved": _l("已办结"), "cancelled": _l("已取消")}
INCIDENT_SOURCES = {"device": _l("设备"), "sms": _l("短信"), "drill": _l("演练")}
# Of a notification attempt (one SMS or call to one responder).
ATTEMPT_STATUSES = {"pending": _l("待发送"), "queued": _l("发送中"), "sent": _l("已发出"),
                    "failed": _l("发送失败"), "skipped": _l("未发送")}
# Kinds of entries in an incident's log.
EVENT_KINDS = {"trigger": _l("呼救"), "send": _l("发出通知"), "status": _l("发送结果"),
               "escalate": _l("升级"), "reply": _l("回复"), "acknowledge": _l("接警"),
               "resolve": _l("办结"), "cancel": _l("取消"), "remind": _l("办结提醒")}
CHANNELS = {"sms": _l("短信"), "voice": _l("电话")}
# What a call-plan step may use, as the form offers it.
CHANNEL_CHOICES = {"sms": _l("短信"), "voice": _l("电话"), "sms,voice": _l("短信+电话")}
RESPONDER_KINDS = {"duty_cadre": _l("当日值班干部"),
                   "village_duty": _l("本村当日值班干部"), "cadre": _l("乡干部"),
                   "relative": _l("亲属"), "doctor": _l("村医"), "neighbour": _l("邻居"),
                   "other": _l("其他")}
CAP_OUTCOMES = {"aired": _l("已播出"), "exercise": _l("演练（不播出）"), "updated": _l("已更新"),
                "cancelled": _l("已解除"), "duplicate": _l("重复"), "ignored": _l("未采用")}
# CAP 1.2 <status> and <msgType>.
CAP_STATUSES = {"Actual": _l("正式"), "Exercise": _l("演练"), "System": _l("系统"),
                "Test": _l("测试"), "Draft": _l("草稿")}
CAP_MSG_TYPES = {"Alert": _l("发布"), "Update": _l("更新"), "Cancel": _l("解除"),
                 "Ack": _l("确认"), "Error": _l("出错")}
# Who put an alert on air (``issue_alert(source=…)``).
ALERT_SOURCES = {"staff": _l("人工发布"), "CAP": _l("CAP 预警")}
# A received SMS: what it was understood as, else its status.
SMS_HANDLING = {"ack": _l("确认接警"), "verify": _l("号码核实"), "checkin": _l("去向报告"),
                "test": _l("呼救测试"), "trigger": _l("短信呼救"), "unmatched": _l("未识别"),
                "received": _l("待处理"), "handled": _l("已处理")}

TABLES: dict[str, dict[str, Any]] = {
    "incident_state": INCIDENT_STATES, "incident_source": INCIDENT_SOURCES,
    "attempt_status": ATTEMPT_STATUSES, "event_kind": EVENT_KINDS, "channel": CHANNELS,
    "responder_kind": RESPONDER_KINDS, "cap_outcome": CAP_OUTCOMES,
    "cap_status": CAP_STATUSES, "cap_msg_type": CAP_MSG_TYPES, "alert_source": ALERT_SOURCES,
    "sms_handling": SMS_HANDLING,
}


def label(table: str, code: str | None) -> str:
    """The label of ``code`` in ``table`` (see TABLES), in the reader's language."""
    found = TABLES[table].get(code or "")
    return str(found) if found is not None else (code or "")


def source_label(table: str, code: str | None) -> str:
    """The label in the source language, for text that is stored or sent by SMS."""
    with force_locale(SOURCE_LOCALE):
        return label(table, code)


def channels_label(channels: str | Iterable[str]) -> str:
    """``"sms,voice"`` or ``("sms", "voice")`` → "短信+电话"."""
    codes = [c for c in (channels.split(",") if isinstance(channels, str) else channels) if c]
    return "+".join(label("channel", c) for c in codes)

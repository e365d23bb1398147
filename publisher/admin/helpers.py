"""Template filters and globals of the admin, and small view helpers shared by routes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import current_app, flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from playlists.timezones import utc_to_local
from publisher.admin import bp
from publisher.admin.access import is_editor, is_reviewer, user_zone
from publisher.admin.diff import as_text
from publisher.admin.forms import PRIORITY_LABELS
from publisher.admin.kinds import FIELD_LABELS, KINDS, summary, text_for_glyph_check
from publisher.admin.status import RENDER_LABELS, STATE_LABELS, status_of
from publisher.emergency.labels import channels_label
from publisher.models import AuditEvent, utcnow
from publisher.services.schedule import describe_entry
from publisher.words import kind_label

ACTION_LABELS = {
    "login": _l("登录"), "create": _l("新建"), "edit": _l("修改"), "submit": _l("提交审核"),
    "approve": _l("审核通过"), "reject": _l("退回"), "withdraw": _l("撤回"),
    "settings": _l("修改设置"), "import": _l("导入"), "whereabouts": _l("报告去向"),
    # emergency calls and alerts
    "alert": _l("发布紧急通知"), "drill": _l("演练"), "trigger": _l("呼救"),
    "acknowledge": _l("确认接警"), "resolve": _l("办结"), "cancel": _l("取消呼救"),
    "reveal": _l("查看完整信息"), "verify": _l("核实号码"),
    # refused requests (publisher.security.refusals) and removals
    "refused": _l("拒绝访问"), "delete": _l("删除"),
    # accounts (publisher.auth)
    "logout": _l("退出登录"), "login_failed": _l("登录失败"), "login_locked": _l("登录被锁定"),
    "change_password": _l("修改密码"), "reset_password": _l("重置密码"),
    "deactivate": _l("停用账号"), "activate": _l("启用账号"),
}


# What the audit log calls the objects of other parts of the system (content kinds are
# named by their KINDS label).
TARGET_LABELS = {"user": _l("账号"), "township": _l("乡镇"), "cadre": _l("干部"),
                 "whereabouts": _l("去向"), "village": _l("村"), "channel": _l("频道"),
                 "cadres": _l("干部信息"), "roster": _l("干部分工"),
                 "alert": _l("紧急通知"), "incident": _l("呼救"), "device": _l("呼救设备"),
                 "household": _l("重点户"), "responder": _l("应急联系人"), "cap": _l("CAP 预警"),
                 "cap_source": _l("CAP 订阅"), "sms": _l("短信"), "call_policy": _l("呼救预案"),
                 "channel_schedule": _l("频道编排"),
                 # what a refused request asked for (publisher.security.refusals)
                 "request": _l("访问请求"), "page": _l("播出画面"), "ack_link": _l("确认链接")}

# The page an entry's target is shown on ("{id}": the target's id). Content kinds have
# /content/<kind>/<id>; a target missing here (a device, an account …) gets no link.
TARGET_PAGES = {"incident": "/emergency/incidents/{id}", "household": "/emergency/households/{id}",
                "alert": "/emergency/alerts", "cap": "/emergency/alerts",
                "cap_source": "/emergency/alerts", "responder": "/emergency/responders",
                "call_policy": "/emergency/policies", "sms": "/emergency/sms",
                "channel_schedule": "/org/channels/{id}/schedule"}


def target_label(target_type: str) -> str:
    if target_type in KINDS:
        return str(KINDS[target_type].label)
    return str(TARGET_LABELS.get(target_type, target_type))


@dataclass(frozen=True)
class AuditTarget:
    label: str  # "" when the entry has no target
    url: str | None


def audit_target(event: AuditEvent) -> AuditTarget:
    """What an entry's target is called and the page to open it on (None: no page)."""
    target_type, target_id = event.target_type, event.target_id
    # Call plans were recorded as "policy" before they had their own type; only they have
    # a repeat count.
    if target_type == "policy" and isinstance(event.after, dict) and "repeat_count" in event.after:
        target_type = "call_policy"
    if not target_type:
        return AuditTarget("", None)
    page = f"/content/{target_type}/{{id}}" if target_type in KINDS else TARGET_PAGES.get(
        target_type)
    url = page.format(id=target_id) if page and (target_id or "{id}" not in page) else None
    return AuditTarget(target_label(target_type), url)


def _call_step(step: Any) -> str:
    if not isinstance(step, dict):
        return as_text(step)
    return _("%(who)s（%(how)s，等待 %(n)s 秒）", who=step.get("responder", ""),
             how=channels_label(step.get("channels") or ()), n=step.get("wait_seconds", ""))


def audit_value(key: str, value: Any) -> str:
    """A value of an audit event's before/after, as staff should read it."""
    if key == "state" and value in STATE_LABELS:
        return str(STATE_LABELS[value])
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if key == "priority" and isinstance(value, int):
        return priority_label(value)
    if isinstance(value, dict) and "weight" in value:  # a channel schedule's category
        return describe_entry(value)
    if key == "call_steps" and isinstance(value, list):
        return "\n".join(f"{n}. {_call_step(s)}" for n, s in enumerate(value, 1))
    if key in ("valid_from", "valid_until", "expires") and isinstance(value, str) and value:
        try:
            return usertime(datetime.fromisoformat(value))
        except ValueError:
            return value
    return as_text(value)


def priority_label(priority: int) -> str:
    """普通 / 重要 / 置顶; a level between them shows as its number."""
    return str(PRIORITY_LABELS.get(priority, priority))


@bp.app_template_filter("usertime")
def usertime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware UTC instant shown in the viewer's township time."""
    local = utc_to_local(value, user_zone())
    return local.strftime(fmt) if local else ""


@bp.app_context_processor
def admin_globals() -> dict[str, Any]:
    return {
        "kind_label": kind_label,  # alerts and derived kinds have their word too
        "field_label": lambda key: str(FIELD_LABELS.get(key, key)),
        "state_label": lambda state: str(STATE_LABELS.get(state, state)),
        "render_label": lambda state: str(RENDER_LABELS.get(state, "")),
        "priority_label": priority_label,
        "action_label": lambda action: str(ACTION_LABELS.get(action, action)),
        "target_label": target_label,
        "summary": summary,
        "item_status": lambda item: status_of(item, utcnow()),
        "is_editor": is_editor,
        "is_reviewer": is_reviewer,
    }


def warn_missing_glyphs(data: dict[str, Any]) -> None:
    """Flash a warning about characters no installed font can draw on the TV."""
    try:
        from renderer.fonts import missing_glyphs
    except ImportError:  # the font module is optional while the renderer is being built
        return
    try:
        missing = missing_glyphs(text_for_glyph_check(data))
    except Exception:  # a font problem must never stop staff from saving their work
        current_app.logger.exception("glyph check failed")
        return
    if missing:
        chars = " ".join(sorted(missing))
        flash(_("以下文字在电视上无法显示（会显示为方块），建议换一种写法：%(chars)s", chars=chars),
              "warning")


@bp.app_template_filter("query_with")
def query_with(args: Any, **changes: Any) -> str:
    """The current query string with some arguments replaced (for pagers)."""
    pairs = [(k, v) for k, v in args.items(multi=True) if k not in changes]
    pairs += [(k, v) for k, v in changes.items() if v not in (None, "")]
    return urlencode(pairs)

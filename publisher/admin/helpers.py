"""Template filters and globals of the admin, and small view helpers shared by routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import current_app, flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from publisher.admin import bp
from publisher.admin.access import is_editor, is_reviewer, user_zone
from publisher.admin.diff import as_text
from publisher.admin.kinds import FIELD_LABELS, KINDS, summary, text_for_glyph_check
from publisher.admin.status import RENDER_LABELS, STATE_LABELS, status_of
from publisher.admin.timeutil import utc_to_local
from publisher.models import utcnow

ACTION_LABELS = {
    "login": _l("登录"), "create": _l("新建"), "edit": _l("修改"), "submit": _l("提交审核"),
    "approve": _l("审核通过"), "reject": _l("退回"), "withdraw": _l("撤回"),
    "settings": _l("修改设置"),
}


# What the audit log calls the objects of other parts of the system.
TARGET_LABELS = {"user": _l("账号"), "township": _l("乡镇"), "cadre": _l("干部"),
                 "whereabouts": _l("去向"), "village": _l("村"), "channel": _l("频道")}


def audit_value(key: str, value: Any) -> str:
    """A value of an audit event's before/after, as staff should read it."""
    if key == "state" and value in STATE_LABELS:
        return str(STATE_LABELS[value])
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if key in ("valid_from", "valid_until") and isinstance(value, str) and value:
        try:
            return usertime(datetime.fromisoformat(value))
        except ValueError:
            return value
    return as_text(value)


@bp.app_template_filter("usertime")
def usertime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An aware UTC instant shown in the viewer's township time."""
    local = utc_to_local(value, user_zone())
    return local.strftime(fmt) if local else ""


@bp.app_context_processor
def admin_globals() -> dict[str, Any]:
    return {
        "kind_label": lambda kind: str(KINDS[kind].label) if kind in KINDS else kind,
        "field_label": lambda key: str(FIELD_LABELS.get(key, key)),
        "state_label": lambda state: str(STATE_LABELS.get(state, state)),
        "render_label": lambda state: str(RENDER_LABELS.get(state, "")),
        "action_label": lambda action: str(ACTION_LABELS.get(action, action)),
        "target_label": lambda target: str(TARGET_LABELS.get(target, target)),
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

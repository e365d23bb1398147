"""Townships (county administrator only), their villages/communities and channels."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from playlists.cbr import MAX_MUXRATE_BPS, default_muxrate_bps, min_muxrate_bps
from playlists.timezones import DEFAULT_TIMEZONE, is_zone
from playlists.udp import parse_url
from publisher.extensions import db
from publisher.models import Cadre, Channel, Role, Township, User, Village, Whereabouts, row_id
from publisher.services.errors import NotAllowed, ServiceError
from publisher.services.geo import clean_fix
from publisher.services.org.common import FieldError, flag, integer, record, save_audited, text
from publisher.services.phones import clean_phone
from publisher.services.scope import ensure_township
from renderer.encode import encoding_for_plan

CHANNEL_PROFILES = ("1080p", "720p", "576i-16x9", "576i-4x3")
VILLAGE_KINDS = ("村", "社区")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
# udp://host:port, optionally with ffmpeg's query options (?pkt_size=1316&ttl=4).
_UDP = re.compile(r"^udp://([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]):(?P<port>\d{1,5})(\?[\w=&.\-]*)?$")
MIN_PACE, MAX_PACE = 1.0, 10.0  # characters per second a viewer can be expected to read


def county_only(actor: User) -> None:
    if not actor.is_county_admin:
        raise NotAllowed(_("只有县级管理员可以管理乡镇。"))


def admin_only(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise NotAllowed(_("只有管理员可以管理组织机构。"))


def township_for(actor: User, township_id: int | None) -> Township:
    """The township an action targets: the actor's own, or the one a county admin picked."""
    if not actor.is_county_admin:
        if township_id not in (None, actor.township_id):
            raise NotAllowed(_("您不能查看或修改其他乡镇的内容。"))
        township_id = actor.township_id
    ident = row_id(township_id)
    township = db.session.get(Township, ident) if ident else None
    if township is None:
        raise FieldError("township_id", _("请选择乡镇。"))
    return township


def _zone(raw: Mapping[str, Any], default: str) -> str:
    """An IANA time zone name such as Asia/Shanghai; empty gives ``default``."""
    tz = text(raw, "timezone", 64) or default
    if tz and not is_zone(tz):
        raise FieldError("timezone", _("未知的时区：%(tz)s", tz=tz))
    return tz


def clean_township(raw: Mapping[str, Any]) -> dict[str, Any]:
    tz = _zone(raw, DEFAULT_TIMEZONE)
    # Escalation calls this number when no responder answers: no extension.
    phone = clean_phone(text(raw, "duty_phone", 40), "duty_phone")
    return {
        "name": text(raw, "name", 80, required=True),
        "county": text(raw, "county", 80),
        "timezone": tz,
        "self_approval": flag(raw, "self_approval"),
        "checkin_deadline_hour": integer(raw, "checkin_deadline_hour", 0, 23, 9),
        "duty_phone": phone,
    }


def save_township(
    actor: User, fields: dict[str, Any], township: Township | None = None
) -> Township:
    """Create (``township`` None) or update a township. County administrators only."""
    county_only(actor)
    clash = db.session.scalar(select(Township).where(Township.name == fields["name"]))
    if clash is not None and clash is not township:
        raise FieldError("name", _("已有同名乡镇。"))
    township = township or Township()
    save_audited(actor, township, fields, kind="township", township_id=None,
                 summary=fields["name"])
    return township


def clean_village(raw: Mapping[str, Any]) -> dict[str, Any]:
    kind = text(raw, "kind", 16) or "村"
    if kind not in VILLAGE_KINDS:
        raise FieldError("kind", _("类型只能是“村”或“社区”。"))
    fix = clean_fix(raw)  # the committee's location, for check-ins with a location
    return {"name": text(raw, "name", 80, required=True), "kind": kind,
            "lat": fix.lat if fix else None, "lon": fix.lon if fix else None}


def save_village(
    actor: User, township_id: int, fields: dict[str, Any], village: Village | None = None
) -> Village:
    """Create or rename a village/community of ``township_id``."""
    ensure_township(actor, township_id)
    admin_only(actor)
    clash = db.session.scalar(
        select(Village).where(Village.township_id == township_id, Village.name == fields["name"])
    )
    if clash is not None and clash is not village:
        raise FieldError("name", _("本乡镇已有同名的村（社区）。"))
    village = village or Village(township_id=township_id)
    save_audited(actor, village, fields, kind="village", township_id=township_id,
                 summary=fields["name"])
    return village


def delete_village(actor: User, village: Village) -> None:
    """Remove a village nobody refers to; one in use is refused (history would break)."""
    ensure_township(actor, village.township_id)
    admin_only(actor)
    covered = db.session.scalar(
        select(func.count()).select_from(Cadre).where(Cadre.villages.any(Village.id == village.id))
    )
    reported = db.session.scalar(
        select(func.count()).select_from(Whereabouts).where(Whereabouts.village_id == village.id)
    )
    if covered or reported:
        raise ServiceError(_("该村（社区）已有干部包村或去向记录，不能删除，可以改名。"))
    record("delete", actor, village, kind="village", summary=village.name,
           township_id=village.township_id)
    db.session.delete(village)
    db.session.commit()


def _colour(raw: Mapping[str, Any], field: str, default: str) -> str:
    colour = text(raw, field, 9) or default
    if not _COLOUR.match(colour):
        raise FieldError(field, _("颜色格式应为 #RRGGBB，例如 #0B3D5C。"))
    return colour.upper()


def _udp(raw: Mapping[str, Any]) -> str:
    udp = text(raw, "udp_url", 120)
    match = _UDP.match(udp) if udp else None
    if udp and (match is None or not 1 <= int(match["port"]) <= 65535):
        raise FieldError(
            "udp_url", _("组播地址格式应为 udp://主机:端口，例如 udp://239.1.1.1:1234。")
        )
    try:
        parse_url(udp) if udp else None
    except ValueError:
        raise FieldError("udp_url", _("组播数据包固定为 1316 字节（7 个 TS 包），"
                                      "请去掉 pkt_size 或改为 1316。")) from None
    return udp


def channel_muxrate_bps(profile: str, muxrate_kbps: int) -> int:
    """The UDP mux rate a channel sends at: its own, or its profile's default."""
    if muxrate_kbps:
        return muxrate_kbps * 1000
    enc = encoding_for_plan(profile)
    return default_muxrate_bps(enc.bufsize_kbit, enc.audio_kbps)


def _muxrate(raw: Mapping[str, Any], profile: str) -> int:
    """kbit/s, or 0 for the profile's default; refused if the profile's content won't fit."""
    kbps = integer(raw, "udp_muxrate_kbps", 0, MAX_MUXRATE_BPS // 1000, 0)
    enc = encoding_for_plan(profile)
    need = min_muxrate_bps(enc.bufsize_kbit, enc.audio_kbps)
    if kbps and kbps * 1000 < need:
        raise FieldError("udp_muxrate_kbps", _(
            "%(rate)s kbit/s 装不下“%(profile)s”输出规格的画面和声音，至少需要 %(need)s kbit/s"
            "（留空则按规格自动选用 %(auto)s kbit/s）。",
            rate=kbps, profile=profile, need=-(-need // 1000),
            auto=default_muxrate_bps(enc.bufsize_kbit, enc.audio_kbps) // 1000))
    return kbps


def _pace(raw: Mapping[str, Any]) -> float:
    try:
        pace = float(text(raw, "reading_pace", 10) or "3")
    except ValueError:
        raise FieldError("reading_pace", _("请填写数字。")) from None
    if not MIN_PACE <= pace <= MAX_PACE:
        raise FieldError("reading_pace", _("阅读速度应在 1 到 10 字/秒之间。"))
    return pace


def clean_channel(raw: Mapping[str, Any]) -> dict[str, Any]:
    slug = text(raw, "slug", 40, required=True).lower()
    if not _SLUG.match(slug):
        raise FieldError("slug", _("频道代号只能用小写字母、数字和“-”，2 到 40 个字符。"))
    profile = text(raw, "profile", 20) or "720p"
    if profile not in CHANNEL_PROFILES:
        raise FieldError("profile", _("未知的输出规格。"))
    return {
        "slug": slug,
        "name": text(raw, "name", 80, required=True),
        "group": text(raw, "group", 80) or "乡村频道",
        "profile": profile,
        "primary_colour": _colour(raw, "primary_colour", "#0B3D5C"),
        "accent_colour": _colour(raw, "accent_colour", "#F2C14E"),
        "udp_url": _udp(raw),
        "udp_paused": flag(raw, "udp_paused"),
        "udp_muxrate_kbps": _muxrate(raw, profile),
        "udp_provider": text(raw, "udp_provider", 80),
        "reading_pace": _pace(raw),
        "narration": flag(raw, "narration"),
        "enabled": flag(raw, "enabled"),
        # Empty: channel time is the township's (see Channel.effective_timezone).
        "timezone": _zone(raw, ""),
    }


def save_channel(
    actor: User,
    township_id: int,
    fields: dict[str, Any],
    channel: Channel | None = None,
    logo_path: str | None = None,
) -> Channel:
    """Create or update a channel; ``logo_path`` (relative to the upload dir) replaces the logo."""
    ensure_township(actor, township_id)
    admin_only(actor)
    clash = db.session.scalar(select(Channel).where(Channel.slug == fields["slug"]))
    if clash is not None and clash is not channel:
        raise FieldError("slug", _("频道代号已被使用。"))
    if logo_path is not None:
        fields = {**fields, "logo_path": logo_path}
    channel = channel or Channel(township_id=township_id)
    save_audited(actor, channel, fields, kind="channel", township_id=township_id,
                 summary=fields["name"])
    return channel

"""Feed health for the admin: an alarm when a channel stops writing segments."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from publisher.models import Channel, utcnow

# No segment for this many segment durations means the feed has stalled.
STALL_SEGMENTS = 3
# The playout's own words for its UDP relay (``playlists.playout._udp_health``).
_UDP_DROPPED = re.compile(r"ok \((\d+) chunks dropped\)")
_UDP_DOWN = re.compile(r"relay down \(started (\d+) times\)")


@dataclass(frozen=True)
class FeedStatus:
    slug: str
    last_segment_at: datetime | None
    segment_s: float
    udp: str  # "off", "ok" or a short problem description

    def age_s(self, now: datetime) -> float | None:
        if self.last_segment_at is None:
            return None
        return (now - self.last_segment_at).total_seconds()

    def alarm(self, now: datetime) -> bool:
        age = self.age_s(now)
        return age is None or age > STALL_SEGMENTS * self.segment_s


def status_path(slug: str) -> Path:
    return Path(current_app.config["STATUS_DIR"]) / f"{slug}.json"


def read_status(slug: str) -> FeedStatus:
    try:
        raw = json.loads(status_path(slug).read_text("utf-8"))
        last = datetime.fromisoformat(raw["last_segment_at"])
        return FeedStatus(slug, last, float(raw.get("segment_s", 3.84)), str(raw.get("udp", "off")))
    except (OSError, ValueError, KeyError, TypeError):
        return FeedStatus(slug, None, 3.84, "off")


def udp_health(udp: str) -> tuple[str, bool]:
    """The UDP relay's state in Chinese, and whether it is a problem staff should act on."""
    if udp == "off":
        return _("未启用"), False
    if udp == "ok":
        return _("正常"), False
    if match := _UDP_DROPPED.fullmatch(udp):
        return _("正常（丢弃了 %(n)s 个数据块）", n=match[1]), False
    if match := _UDP_DOWN.fullmatch(udp):
        return _("转发中断（已尝试启动 %(n)s 次）", n=match[1]), True
    return _("异常：%(detail)s", detail=udp), True


def channel_status(channel: Channel, now: datetime | None = None) -> dict[str, object]:
    """What the admin shows for one channel's feed."""
    now = now or utcnow()
    status = read_status(channel.slug)
    udp_text, udp_problem = udp_health(status.udp)
    return {"alarm": status.alarm(now), "age_s": status.age_s(now),
            "last_segment_at": status.last_segment_at, "udp": status.udp,
            "udp_text": udp_text, "udp_problem": udp_problem}

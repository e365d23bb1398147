"""Feed health for the admin: an alarm when a channel stops writing segments."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from publisher.models import Channel, utcnow

# No segment for this many segment durations means the feed has stalled.
STALL_SEGMENTS = 3


@dataclass(frozen=True)
class FeedStatus:
    slug: str
    last_segment_at: datetime | None
    segment_s: float
    # The UDP output as the playout's relay reports it (``UdpRelay.health``): state "off",
    # "sending" or "error", with muxrate_bps, sent_bps and detail.
    udp: dict[str, Any] = field(default_factory=lambda: {"state": "off"})

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
        udp = raw.get("udp")
        return FeedStatus(slug, last, float(raw.get("segment_s", 3.84)),
                          udp if isinstance(udp, dict) else {"state": "off"})
    except (OSError, ValueError, KeyError, TypeError):
        return FeedStatus(slug, None, 3.84)


def _mbps(bps: object) -> str:
    try:
        return f"{float(bps) / 1e6:.1f}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "?"


def udp_health(udp: dict[str, Any], stalled: bool = False) -> tuple[str, bool]:
    """The UDP output's state in Chinese, and whether it is a problem staff should act on.

    ``stalled``: the playout stopped writing its status, so what it last said is stale.
    """
    state = udp.get("state", "off")
    if state == "off":
        return _("未启用"), False
    if stalled:
        return _("已中断（播出进程无响应）"), True
    if state == "sending":
        return _("正在发送，%(rate)s Mbit/s（设定 %(set)s Mbit/s）",
                 rate=_mbps(udp.get("sent_bps")), set=_mbps(udp.get("muxrate_bps"))), False
    detail = str(udp.get("detail") or "")[:200]
    return _("发送异常：%(detail)s", detail=detail or _("发送程序未运行")), True


# The dashboard's words: "off", "ok", or anything else for a problem.
_UDP_WORD = {"off": "off", "sending": "ok"}


def channel_status(channel: Channel, now: datetime | None = None) -> dict[str, object]:
    """What the admin shows for one channel's feed."""
    now = now or utcnow()
    status = read_status(channel.slug)
    alarm = status.alarm(now)
    udp_state = status.udp.get("state", "off")
    udp_text, udp_problem = udp_health(status.udp, stalled=alarm)
    return {"alarm": alarm, "age_s": status.age_s(now),
            "last_segment_at": status.last_segment_at, "udp": _UDP_WORD.get(udp_state, "error"),
            "udp_text": udp_text, "udp_problem": udp_problem}

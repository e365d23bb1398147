"""Feed health for the admin: an alarm when a channel stops writing segments."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app

from publisher.models import Channel, utcnow

# No segment for this many segment durations means the feed has stalled.
STALL_SEGMENTS = 3


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


def channel_status(channel: Channel, now: datetime | None = None) -> dict[str, object]:
    """What the admin shows for one channel's feed."""
    now = now or utcnow()
    status = read_status(channel.slug)
    return {"alarm": status.alarm(now), "age_s": status.age_s(now),
            "last_segment_at": status.last_segment_at, "udp": status.udp}

"""How the admin names time zones: 北京时间（UTC+8） for ``Asia/Shanghai``.

Turning names into zones and converting between UTC and township time is the one helper
in playlists.timezones.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from playlists.timezones import to_local, zone
from publisher import clock

# Time zones as people in China name them; any other zone is shown by its code.
ZONE_NAMES = {"Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "Asia/Harbin": "北京时间",
              "PRC": "北京时间", "Asia/Urumqi": "新疆时间", "Asia/Kashgar": "新疆时间",
              "Asia/Hong_Kong": "香港时间", "Asia/Macau": "澳门时间", "Asia/Taipei": "台北时间"}
COMMON_ZONES = ("Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei")


def zone_label(name: str | None, at: datetime | None = None) -> str:
    """``Asia/Shanghai`` as 北京时间（UTC+8）: a name staff know and the offset that matters
    (at ``at``, default now: a zone with summer time has two)."""
    tz = zone(name)
    offset = to_local(at or clock.now(), tz).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    utc = f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
    return f"{ZONE_NAMES.get(tz.key, tz.key)}（{utc}）"

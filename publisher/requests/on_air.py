"""The ledger on air: the month's counts as the 群众诉求 statistics slide (renderer/templates/
requests.py). Counts only: month_statistics reads no name, number or request text."""

from __future__ import annotations

from datetime import date, datetime

from publisher.jobs.derived import Slide, fingerprint, slide_builder
from publisher.models import Township
from publisher.requests.ledger import month_statistics


@slide_builder("requests")
def requests_slide(township: Township, day: date, now: datetime) -> Slide | None:
    """This month so far, as of the channel's ``day``; nothing to air before the first request."""
    stats = month_statistics(township, f"{day:%Y-%m}", now)
    if not stats.received and not stats.resolved:
        return None
    item = {"type": "requests", "month": f"{day:%Y-%m}-01", "as_of": day.isoformat(),
            "received": stats.received, "resolved": stats.resolved,
            "on_time_rate": stats.on_time_rate,
            "rows": [{"category": c.category, "received": c.received, "resolved": c.resolved}
                     for c in stats.by_category]}
    return Slide("requests", item, fingerprint(item), f"{day.month}月群众诉求办理情况")

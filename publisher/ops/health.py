"""``/healthz``: is this deployment ready to serve its channels? (pure: readings in, verdict out)

Ready means the database answers, a playout process is alive (its heartbeat on this machine
is fresh, or a playout node renewed its presence in the database) and every channel that has
a plan is on air (a segment within the stall limit). The clock's heartbeat is reported
beside them but does not decide: without it renders wait, while the channels air on.
"""

from __future__ import annotations

from typing import Any

from publisher.ops.readings import Readings, heartbeat_fresh


def checks(r: Readings) -> dict[str, dict[str, Any]]:
    """Each check with ``ok`` and what it saw (no personal data: slugs, counts, ages)."""
    playout_age = r.heartbeat_age_s.get("playout")
    expected = [f for f in r.feeds if f.planned]
    down = [f.slug for f in expected if not f.on_air]
    return {
        "database": {"ok": r.database_ok, "detail": r.database_error},
        "playout": {"ok": heartbeat_fresh(playout_age) or r.playout_nodes > 0,
                    "heartbeat_age_s": _round(playout_age), "nodes": r.playout_nodes},
        "feeds": {"ok": r.database_ok and not down, "on_air": len(expected) - len(down),
                  "expected": len(expected), "down": down},
    }  # fmt: skip


def verdict(r: Readings) -> tuple[dict[str, Any], int]:
    """The JSON body and HTTP status: 200 when every check passes, else 503."""
    found = checks(r)
    ready = all(c["ok"] for c in found.values())
    clock = r.heartbeat_age_s.get("clock")
    body = {
        "status": "ok" if ready else "fail",
        "checked_at": r.now.isoformat(timespec="seconds"),
        "checks": found,
        "info": {"clock": {"ok": heartbeat_fresh(clock), "heartbeat_age_s": _round(clock)}},
    }
    return body, 200 if ready else 503


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)

"""Where a check-in was made, against where the village is (pure: no database, no clock).

A cadre's phone may attach its location at the moment of a web check-in, with consent, once:
nothing is tracked. The report then says 在村 or 不在村 with the distance from the village
committee's coordinates (set in the village form).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from publisher.services.errors import FieldError

EARTH_RADIUS_M = 6_371_000
# A village's houses, fields and hamlets lie within this of its committee (mountain villages
# spread; a cadre at the far hamlet is still 在村).
VILLAGE_RADIUS_M = 3_000
ROUGH_FIX_M = 5_000  # a fix vaguer than this (a phone without GPS) gives no verdict


@dataclass(frozen=True)
class Fix:
    lat: float
    lon: float
    accuracy_m: float | None = None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine; plenty for a few kilometres)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _number(raw: Mapping[str, Any], key: str, low: float, high: float, label: str) -> float:
    try:
        value = float(str(raw.get(key)).strip())
    except ValueError:
        raise FieldError(key, _("%(what)s不是数字。", what=label)) from None
    if not math.isfinite(value) or not low <= value <= high:
        bounds = {"low": f"{low:g}", "high": f"{high:g}"}
        raise FieldError(key, _("%(what)s应在 %(low)s 到 %(high)s 之间。", what=label, **bounds))
    return value


def clean_fix(raw: Mapping[str, Any], prefix: str = "") -> Fix | None:
    """``lat``/``lon`` (and ``accuracy``) from a form or API body; None when both are blank.
    The one rule for coordinates, for check-ins and for the village form."""
    lat_key, lon_key, acc_key = f"{prefix}lat", f"{prefix}lon", f"{prefix}accuracy"
    if not str(raw.get(lat_key) or "").strip() and not str(raw.get(lon_key) or "").strip():
        return None
    lat = _number(raw, lat_key, -90, 90, _("纬度"))
    lon = _number(raw, lon_key, -180, 180, _("经度"))
    accuracy = None
    if str(raw.get(acc_key) or "").strip():
        accuracy = _number(raw, acc_key, 0, 100_000, _("定位精度"))
    return Fix(lat, lon, accuracy)


def verdict_code(distance: float | None, accuracy: float | None) -> str:
    """here, away, rough (a vague fix), or "" (no location, or no village coordinates)."""
    if distance is None:
        return ""
    if accuracy is not None and accuracy > ROUGH_FIX_M:
        return "rough"
    return "here" if distance <= VILLAGE_RADIUS_M + (accuracy or 0) else "away"


def verdict(distance: float | None, accuracy: float | None) -> str:
    """在村, 不在村, 定位不准, or "" (see ``verdict_code``)."""
    code = verdict_code(distance, accuracy)
    return {"here": _("在村"), "away": _("不在村"), "rough": _("定位不准")}.get(code, "")


def km(distance: float | None) -> str:
    """0.4 公里, 12 公里."""
    if distance is None:
        return ""
    value = distance / 1000
    shown = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return _("%(d)s 公里", d=shown)

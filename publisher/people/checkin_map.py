"""Today's check-ins as a schematic of the township's villages (no online map tiles).

Villages are placed by their coordinates (an equirectangular projection, scaled so the
township fills the picture); each check-in that carried a location is a dot beside it, green
when 在村 and red when 不在村. Villages without coordinates and check-ins without a location
(SMS, or the cadre did not attach one) are listed under the picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from flask import render_template, request
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Cadre, Whereabouts, utcnow
from publisher.people import bp
from publisher.people.common import STAFF, parse_day, roles_required, selected_township, townships
from publisher.services import geo
from publisher.services.whereabouts_board import load_board, local_now

WIDTH, HEIGHT, MARGIN = 900, 560, 70
METRES_PER_DEGREE = 111_195  # of latitude
MIN_SPAN_M = 10_000  # the picture shows at least this much ground, so distances look right


@dataclass(frozen=True)
class Spot:
    x: float
    y: float
    label: str
    detail: str = ""
    kind: str = ""  # village | here | away | rough


def _projector(points: list[tuple[float, float]]):  # noqa: ANN202
    """(lat, lon) → (x, y) in the picture, north up, equal scale both ways; and the scale in
    pixels per metre."""
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    mid = math.radians((min(lats) + max(lats)) / 2)
    least = MIN_SPAN_M / METRES_PER_DEGREE
    span_x = max((max(lons) - min(lons)) * math.cos(mid), least)
    span_y = max(max(lats) - min(lats), least)
    scale = min((WIDTH - 2 * MARGIN) / span_x, (HEIGHT - 2 * MARGIN) / span_y)
    cx, cy = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2

    def project(lat: float, lon: float) -> tuple[float, float]:
        return (WIDTH / 2 + (lon - cx) * math.cos(mid) * scale,
                HEIGHT / 2 - (lat - cy) * scale)
    return project, scale / METRES_PER_DEGREE


@bp.route("/whereabouts/map")
@roles_required(*STAFF)
def checkin_map():  # noqa: ANN201
    township = selected_township()
    now = utcnow()
    today = local_now(township, now).date()
    day = parse_day(request.args.get("date"), today)
    if not 1900 <= day.year <= 2200:
        day = today
    board = load_board(township, day, now)
    placed = [v for v in township.villages if v.lat is not None and v.lon is not None]
    latest = {r.report.id for r in board.rows if r.report}
    located = list(db.session.scalars(
        select(Whereabouts).join(Cadre, Cadre.id == Whereabouts.cadre_id)
        .where(Whereabouts.id.in_(latest), Whereabouts.location_lat.is_not(None))))
    points = [(v.lat, v.lon) for v in placed] + [(w.location_lat, w.location_lon)
                                                 for w in located]
    spots: list[Spot] = []
    px_per_m = 0.0
    if points:
        project, px_per_m = _projector(points)
        for village in placed:
            x, y = project(village.lat, village.lon)
            spots.append(Spot(x, y, village.name, kind="village"))
        for w in located:
            x, y = project(w.location_lat, w.location_lon)
            # "unknown": located, but the village has no coordinates to compare with
            kind = geo.verdict_code(w.location_distance_m, w.location_accuracy_m) or "unknown"
            said = geo.verdict(w.location_distance_m, w.location_accuracy_m)
            where = w.village.name if w.village else w.place
            detail = " · ".join(t for t in (where, said, geo.km(w.location_distance_m)) if t)
            spots.append(Spot(x, y, w.cadre.name, detail, kind))
    unplaced = [v.name for v in township.villages if v.lat is None or v.lon is None]
    located_ids = {w.id for w in located}
    without = [r for r in board.rows if r.report and r.report.id not in located_ids]
    return render_template(
        "people/checkin_map.html", township=township, townships=townships(), day=day,
        today=today, prev_day=day - timedelta(days=1), next_day=day + timedelta(days=1),
        spots=spots, width=WIDTH, height=HEIGHT, unplaced=unplaced, without=without,
        radius_px=geo.VILLAGE_RADIUS_M * px_per_m, km_px=1000 * px_per_m,
        missing=[r for r in board.rows if not r.report],
        counts={k: sum(1 for s in spots if s.kind == k) for k in ("here", "away", "rough")})

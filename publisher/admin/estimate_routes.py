"""How long an item will air, shown on the content form before it is submitted.

``POST /content/<kind>/estimate`` takes the form as typed (like the preview) and answers
``{"pages", "seconds", "page_seconds", "text", "channel"}``, ``text`` being e.g.
``预计播出 3 页，共 1 分 20 秒``. It runs the renderer's own pagination and timing
(:func:`renderer.estimate.estimate_air_time`) for the township's channel: no drawing, no
ffmpeg, no speech synthesis in the request.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import abort, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from publisher.admin import bp, recording_routes
from publisher.admin.access import check_kind, load_item, staff_only, township_for_new
from publisher.admin.content_routes import takes_photo
from publisher.admin.kinds import KINDS, form_to_data
from publisher.extensions import db
from publisher.jobs.channels import branding_for, local_today, pace_for
from publisher.models import Channel, Township, row_id, utcnow
from publisher.services import content
from publisher.services.errors import ServiceError
from renderer.items import ItemError
from renderer.theme import default_branding

if TYPE_CHECKING:
    from renderer.estimate import AirEstimate

DEFAULT_PROFILE = "720p"  # a township with no channel yet: the channel form's default


def air_time_text(pages: int, seconds: float) -> str:
    """``预计播出 3 页，共 1 分 20 秒`` (seconds rounded up: never promise less than airs)."""
    total = int(-(-seconds // 1))
    minutes, rest = divmod(total, 60)
    if minutes and rest:
        length = _("%(m)s 分 %(s)s 秒", m=minutes, s=rest)
    elif minutes:
        length = _("%(m)s 分钟", m=minutes)
    else:
        length = _("%(s)s 秒", s=rest)
    return _("预计播出 %(pages)s 页，共 %(length)s", pages=pages, length=length)


def estimate_for(payload: dict[str, Any], township: Township, *, narrate: bool,
                 now: datetime, recording_s: float = 0.0) -> tuple[AirEstimate, Channel | None]:
    """The estimate on the township's first channel on air (or the defaults without one)."""
    from renderer.estimate import estimate_air_time  # the layout engine, loaded when asked

    channel = db.session.scalars(
        select(Channel).where(Channel.township_id == township.id)
        .order_by(Channel.enabled.desc(), Channel.id)
    ).first()
    if channel is None:
        return estimate_air_time(payload, profile=DEFAULT_PROFILE, branding=default_branding(),
                                 today=now.date(), narrated=narrate,
                                 recording_s=recording_s), None
    return estimate_air_time(payload, profile=channel.profile, branding=branding_for(channel),
                             today=local_today(channel, now), pace=pace_for(channel),
                             narrated=bool(channel.narration and narrate),
                             recording_s=recording_s), channel


@bp.route("/content/<kind>/estimate", methods=["POST"])
@staff_only()
def content_estimate(kind: str):  # noqa: ANN201
    """The form as typed → pages and air time (400 with a Chinese message if it is not yet
    a valid item)."""
    spec = KINDS[check_kind(kind)]
    item_arg = request.args.get("item", "")
    item_id = row_id(item_arg) if item_arg.isdecimal() else None
    item = load_item(kind, item_id) if item_id is not None else None
    township = item.township if item else township_for_new(request.args.get("township"))
    if township is None:
        abort(404)
    form = spec.form()
    if not form.validate_on_submit():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return jsonify(error=_("填好必填项后显示预计播出时长。"), fields=errors), 400
    data = form_to_data(spec, form)
    data.pop("photo", None)
    if takes_photo(kind) and item is not None and not form.remove_photo.data:
        data["photo"] = item.latest.data.get("photo")
    try:
        payload = content.validate(kind, data)
        previous = item.latest.data.get("recording") if item is not None else None
        estimate, channel = estimate_for(
            payload, township, narrate=bool(form.narration.data), now=utcnow(),
            recording_s=recording_routes.estimated_seconds(form, previous, township))
    except (ServiceError, ItemError) as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(pages=estimate.pages, seconds=estimate.seconds,
                   page_seconds=list(estimate.page_seconds),
                   text=air_time_text(estimate.pages, estimate.seconds),
                   channel=channel.name if channel is not None else "")

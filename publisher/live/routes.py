from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from publisher.admin.kinds import KINDS
from publisher.extensions import db
from publisher.jobs.channels import branding_for
from publisher.models import Channel, utcnow
from publisher.security import refusals
from publisher.services import guide, schedule
from publisher.services.feed_status import channel_status
from publisher.services.scope import may_see_page, scoped
from publisher.words import kind_label
from renderer.kinds import KINDS as DECLARED

bp = Blueprint("live", __name__)

_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,64}\.(ts|m3u8)$")
_KEY = re.compile(r"^[0-9a-f]{16,64}$")
# As-run references that are not admin content (``alert:17``, ``roster:3`` …): what they
# are, and the page where staff find them. Only alerts have real version numbers: the
# roster's and the board's "version" is a fingerprint of their rows.
# The label is the kind's declared word (publisher.words); the page is the publisher's.
_PAGES = {"alert": "/emergency/alerts", "roster": "/cadres", "whereabouts": "/whereabouts",
          "requests": "/requests"}


class Aired(NamedTuple):
    label: str  # what it is, in Chinese
    href: str | None  # where staff see it
    versioned: bool  # the as-run version is a version number staff know


def aired_item(ref: str) -> Aired:
    """What an as-run ``item_ref`` such as ``policy:12`` is, in Chinese, and its page."""
    kind, _sep, key = ref.partition(":")
    if kind in KINDS and key.isdigit():
        return Aired(str(KINDS[kind].label), f"/content/{kind}/{key}", True)
    if kind not in DECLARED:
        return Aired(ref, None, False)
    return Aired(kind_label(kind), _PAGES.get(kind), kind == "alert")


def duration_text(ms: int) -> str:
    """How long a page aired: ``39.7 秒``, or ``2 分 05 秒`` from a minute on."""
    seconds = round(ms / 1000, 1)
    if seconds < 60:
        return _("%(s).1f 秒", s=seconds)
    minutes, rest = divmod(round(seconds), 60)
    return _("%(m)d 分 %(s)02d 秒", m=minutes, s=rest)


def _hls_file(slug: str, name: str) -> Path:
    if not _SEGMENT.match(name) or not re.fullmatch(r"[a-z0-9-]{1,40}", slug):
        abort(404)
    path = Path(current_app.config["HLS_DIR"]) / slug / name
    if not path.is_file():
        abort(404)
    return path


@bp.route("/live/<slug>/<name>")
def hls(slug: str, name: str) -> Response:
    """Playlist and segments, straight from the playout's HLS directory."""
    from playlists.hls import http_headers

    path = _hls_file(slug, name)
    response = send_file(path, conditional=True, etag=True)
    for header, value in (http_headers(name) or {}).items():
        response.headers[header] = value
    response.headers["Access-Control-Allow-Origin"] = "*"  # web players on other origins
    return response


def _public_base() -> str:
    """The address players reach us at, from the settings (``VILLAGECAST_PUBLIC_URL``),
    never from the request's Host header: these lists are cached (max-age, proxies), and a
    forged Host would otherwise be served to every viewer as the stream's address."""
    return str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")


@bp.route("/channels.m3u")
def channel_list() -> Response:
    body = guide.m3u(_public_base())
    return Response(body, mimetype="audio/x-mpegurl",
                    headers={"Content-Disposition": 'inline; filename="channels.m3u"',
                             "Cache-Control": "max-age=60"})


@bp.route("/epg.xml")
def epg() -> Response:
    return Response(guide.epg(_public_base()), mimetype="application/xml",
                    headers={"Cache-Control": "max-age=60"})


@bp.route("/channel/<slug>/logo.png")
def channel_logo(slug: str) -> Response:
    """The channel's logo for players and guides (the M3U's tvg-logo, the XMLTV icon); public."""
    channel = db.session.scalar(select(Channel).where(Channel.slug == slug, Channel.enabled))
    path = branding_for(channel).logo if channel is not None else None
    if path is None:
        abort(404)
    response = send_file(path, conditional=True)
    response.headers["Cache-Control"] = "max-age=3600"
    return response


@bp.route("/render/<key>.png")
@login_required
def rendered_page(key: str) -> Response:
    """A rendered slide from the page cache (content-addressed, so cacheable forever, but
    only by this browser: the slide may be another township's unpublished draft)."""
    if not _KEY.match(key):
        abort(404)
    if not may_see_page(current_user, key):
        refusals.note("页面不属于本乡镇", target_type="page", target_id=key[:16])
        abort(404)  # another township's slide is "not found", like a missing one
    path = Path(current_app.config["CACHE_DIR"]) / "pages" / key[:2] / f"{key}.png"
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/png", conditional=True)
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


def _my_channels() -> list[Channel]:
    query = scoped(select(Channel).order_by(Channel.id), current_user, Channel.township_id)
    return list(db.session.scalars(query))


@bp.route("/channel")
@login_required
def channel_page() -> str:
    channels = _my_channels()
    slug = request.args.get("c") or (channels[0].slug if channels else None)
    channel = next((c for c in channels if c.slug == slug), None)
    if channels and channel is None:
        abort(404)
    status = channel_status(channel) if channel else None
    recent = guide.recent_as_run(channel, limit=30) if channel else []
    upcoming = guide.upcoming(channel, utcnow()) if channel else []
    programmes = guide.programmes(channel, utcnow()) if channel else []
    rows, idle = schedule.summary(schedule.rules_for(channel)) if channel else ([], "")
    return render_template("live/channel.html", channels=channels, channel=channel,
                           status=status, recent=recent, upcoming=upcoming,
                           programmes=programmes,
                           aired_item=aired_item,
                           duration_text=duration_text, schedule_rows=rows, idle_share=idle)


@bp.route("/channel/<slug>/asrun.csv")
@login_required
def as_run_csv(slug: str) -> Response:
    channel = next((c for c in _my_channels() if c.slug == slug), None)
    if channel is None:
        abort(404)
    body = guide.as_run_csv(channel, request.args.get("day"))
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="asrun-{slug}.csv"'})

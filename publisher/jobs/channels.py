"""How a channel's settings map onto the renderer and the encoder."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import current_app

from playlists.timezones import local_date, zone
from publisher.models import Channel
from renderer.encode import EncodingProfile, encoding_for_plan
from renderer.page import ReadingPace
from renderer.theme import Branding, default_branding


def encoding_for(channel: Channel) -> EncodingProfile:
    """The encoder settings for a channel: the same choice playout makes from its plan."""
    return encoding_for_plan(channel.profile)


def logo_file(channel: Channel) -> Path | None:
    """The channel's uploaded logo on disk (``logo_path`` is relative to the upload dir), if any."""
    if not channel.logo_path:
        return None
    upload_dir = Path(current_app.config["UPLOAD_DIR"]).resolve()
    path = (upload_dir / channel.logo_path).resolve()
    # A stored path never leaves the upload dir, whatever the database holds.
    if not path.is_relative_to(upload_dir) or not path.is_file():
        return None
    return path


def branding_for(channel: Channel, ticker: str = "") -> Branding:
    base = default_branding()
    logo = logo_file(channel) or base.logo
    return Branding(
        channel_name=channel.name,
        township=f"{channel.township.county}{channel.township.name}",
        logo=logo,
        primary=channel.primary_colour or base.primary,
        accent=channel.accent_colour or base.accent,
        ticker=ticker,
    )


def pace_for(channel: Channel) -> ReadingPace:
    return ReadingPace(chars_per_second=max(0.5, channel.reading_pace or 3.0))


def local_today(channel: Channel, now: datetime) -> date:
    """The channel-local date at ``now`` (the date the ident and the board show)."""
    return local_date(now, zone(channel.effective_timezone))

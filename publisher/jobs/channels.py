"""How a channel's settings map onto the renderer and the encoder."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from publisher.models import Channel
from renderer.encode import EncodingProfile, encoding_for_plan
from renderer.page import ReadingPace
from renderer.theme import Branding, default_branding


def encoding_for(channel: Channel) -> EncodingProfile:
    """The encoder settings for a channel: the same choice playout makes from its plan."""
    return encoding_for_plan(channel.profile)


def branding_for(channel: Channel, ticker: str = "") -> Branding:
    base = default_branding()
    logo = Path(channel.logo_path) if channel.logo_path else None
    if logo is None or not logo.is_file():
        logo = base.logo
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
    return now.astimezone(ZoneInfo(channel.township.timezone)).date()

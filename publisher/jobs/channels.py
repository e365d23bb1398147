"""How a channel's settings map onto the renderer and the encoder."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from renderer.encode import PROFILES, EncodingProfile
from renderer.page import ReadingPace
from renderer.theme import Branding, default_branding

from publisher.models import Channel

# Renderer output profile -> encoding profile (SD boxes get H.264 unless a channel asks
# for MPEG-2, which the oldest set-top boxes need).
_ENCODING = {
    ("1080p", "h264"): "1080p",
    ("720p", "h264"): "720p",
    ("576i-16x9", "h264"): "sd-h264",
    ("576i-16x9", "mpeg2"): "sd",
    ("576i-4x3", "mpeg2"): "sd43",
    ("576i-4x3", "h264"): "sd43",
}


def encoding_for(channel: Channel) -> EncodingProfile:
    codec = "mpeg2" if channel.profile.endswith("4x3") else "h264"
    return PROFILES[_ENCODING[(channel.profile, codec)]]


def branding_for(channel: Channel, ticker: str = "") -> Branding:
    base = default_branding()
    logo = Path(channel.logo_path) if channel.logo_path and Path(channel.logo_path).is_file() else base.logo
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

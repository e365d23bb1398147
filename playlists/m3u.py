"""The M3U channel list IPTV players and set-top boxes import (extended M3U, IPTV flavour).

M3U has no escaping: an attribute value ends at the next double quote and an entry at the end
of the line. Names come from township staff, so every value is made safe here rather than
trusted: line breaks and control characters become spaces, double quotes and commas become the
full-width ``＂`` and ``，`` in text (players disagree on which comma ends the attributes, so the
name and attributes carry none); URLs are percent-encoded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

from playlists.xmltv import ChannelInfo

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
# URL characters kept as they are: RFC 3986 reserved ones, and "%" so encoded URLs stay encoded.
# Everything else (quotes, spaces, controls, non-ASCII) is percent-encoded as UTF-8.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def _text(value: str) -> str:
    """One line of text with no double quotes or commas."""
    text = _CONTROL.sub(" ", value).replace('"', "＂").replace(",", "，")
    return " ".join(text.split())


def _url(value: str) -> str:
    return quote(value.strip(), safe=_URL_SAFE)


def stream_url(base_url: str, slug: str) -> str:
    """The HLS playlist of one channel: ``<base>/live/<slug>/index.m3u8``."""
    return f"{_url(base_url).rstrip('/')}/live/{quote(slug, safe='')}/index.m3u8"


def build_m3u(channels: Iterable[ChannelInfo], base_url: str, epg_url: str) -> str:
    """The channel list; ``url-tvg`` (and ``x-tvg-url``, read by some players) name the guide."""
    epg = _url(epg_url)
    lines = [f'#EXTM3U url-tvg="{epg}" x-tvg-url="{epg}"']
    for ch in channels:
        name = _text(ch.name) or ch.slug
        attrs = {
            "tvg-id": ch.xmltv_id,
            "tvg-name": name,
            "tvg-logo": _url(ch.icon_url or ""),
            "group-title": _text(ch.group),
        }
        rendered = " ".join(f'{key}="{value}"' for key, value in attrs.items() if value)
        lines.append(f"#EXTINF:-1 {rendered},{name}")
        lines.append(stream_url(base_url, ch.slug))
    return "\n".join(lines) + "\n"

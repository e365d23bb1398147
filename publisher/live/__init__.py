"""The channel's public URLs (live HLS, channel list, guide) and the staff preview page."""

from publisher.live.routes import bp

__all__ = ["bp"]

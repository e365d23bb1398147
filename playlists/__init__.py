"""The channel: plan, timeline, MPEG-TS muxing, HLS and UDP feeds, guide and channel list.

``playlists`` may import ``renderer``; it never imports ``publisher``.
"""

"""Turns content items into broadcast slides (Pillow) and encoded units (ffmpeg).

The renderer is a leaf: it never imports ``publisher`` or ``playlists``.
"""

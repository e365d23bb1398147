"""The channel's common clock: every duration on air is a whole number of units.

At 25 fps and 48 kHz AAC, 0.64 s is the shortest span that holds a whole number of
video frames (16) and of AAC frames (30 x 1024 samples). Building every page from
repeats of such a unit means concatenation never gaps and never drifts.
"""

from __future__ import annotations

import math

FPS = 25
AUDIO_RATE = 48_000
AAC_FRAME_SAMPLES = 1024
UNIT_FRAMES = 16
UNIT_AAC_FRAMES = 30
UNIT_SECONDS = UNIT_FRAMES / FPS  # 0.64
assert UNIT_AAC_FRAMES * AAC_FRAME_SAMPLES == UNIT_SECONDS * AUDIO_RATE

# MPEG-TS time base.
TICKS_PER_SECOND = 90_000
TICKS_PER_FRAME = TICKS_PER_SECOND // FPS  # 3600
TICKS_PER_AAC_FRAME = TICKS_PER_SECOND * AAC_FRAME_SAMPLES // AUDIO_RATE  # 1920
TICKS_PER_UNIT = TICKS_PER_FRAME * UNIT_FRAMES  # 57600


def units_for(seconds: float) -> int:
    """Whole units needed to show something for at least ``seconds`` (at least one)."""
    return max(1, math.ceil(round(seconds / UNIT_SECONDS, 6)))


def snap_seconds(seconds: float) -> float:
    """Round a wanted duration up to the unit grid."""
    return round(units_for(seconds) * UNIT_SECONDS, 2)

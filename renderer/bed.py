"""The channel's sound, synthesised: a soft music bed, its ducked drone and the alert chime.

Generated here rather than shipped, so the licence is ours (see ``assets/audio/README.md``).
Everything is a pure function of the sample index, 48 kHz float arrays (numpy), no I/O.

**The bed** is a slow pad in just intonation: four chords (I vi IV V, twice) crossfading over
a loop of whole units, each note a few soft harmonics with a gentle stereo spread and a slow
swell. **The drone** is what stays under speech: the home chord at a constant level. Every
partial of the pad sits on the unit grid (a multiple of 1/0.64 s = 1.5625 Hz; just intonation
on a root of 120 x 1.5625 = 187.5 Hz keeps every interval there), so the drone repeats
exactly every unit. A page's narration can therefore be mixed over the drone at render time,
without knowing when the page will air, and still meet the channel's drone in phase at any
unit boundary (see :mod:`renderer.audio`).

**Duck transitions**: ``duck_down`` crossfades the bed into the drone within each unit (and
``duck_up`` back), so playout can duck the bed at any unit by taking that unit's frames from
the transition loop instead of the bed loop: nothing is mixed or encoded at air time.
"""

from __future__ import annotations

import numpy as np

from renderer.timing import AAC_FRAME_SAMPLES, AUDIO_RATE, UNIT_AAC_FRAMES

UNIT_SAMPLES = UNIT_AAC_FRAMES * AAC_FRAME_SAMPLES  # 30720
GRID_HZ = AUDIO_RATE / UNIT_SAMPLES  # 1.5625 Hz: every partial is a multiple

# Chords in grid steps (x 1.5625 Hz), just intonation on a root of 120 (187.5 Hz):
# I = 1 5/4 3/2, vi = 5/6 1 5/4, IV = 1 4/3 5/3, V = 9/8 3/2 15/8; a bass under each.
CHORDS: tuple[tuple[int, ...], ...] = (
    (60, 120, 150, 180, 240),  # I
    (50, 100, 120, 150, 200),  # vi
    (80, 120, 160, 200, 240),  # IV
    (45, 90, 135, 180, 225),  # V
)
PROGRESSION = (0, 1, 2, 3, 0, 2, 1, 3)  # chords per loop, each an eighth of it
HOME = 0  # the drone under speech is chord I
HARMONICS = 5
SWELL_PERIODS = 12  # slow swells per loop (8 s each in the 96 s default loop)

# The attention chime of a public alert: a rising four-note bell figure, played twice.
CHIME_NOTES_HZ = (523.25, 659.25, 783.99, 1046.5)
CHIME_STEP_S = 0.32
CHIME_DECAY_S = 0.9
CHIME_SECONDS = 2 * len(CHIME_NOTES_HZ) * CHIME_STEP_S + 0.9


def aired_position(n: np.ndarray) -> np.ndarray:
    """Sample position inside the aired unit for signal sample ``n``.

    The AAC encoder delays its output by one frame: the frames playout airs as unit ``u``
    decode to signal samples ``u x 30720 - 1024 …``. Transitions are placed by this.
    """
    return (n + AAC_FRAME_SAMPLES) % UNIT_SAMPLES


def _note(steps: int, t: np.ndarray, seed: int) -> np.ndarray:
    """One pad note: soft harmonics, each with its own phase and pan. Shape (2, n)."""
    rng = np.random.default_rng(seed)
    out = np.zeros((2, t.size))
    for h in range(1, HARMONICS + 1):
        freq = steps * h * GRID_HZ
        if freq > 4000:
            break
        amp = h**-1.8
        wave = amp * np.sin(2 * np.pi * freq * t + rng.uniform(0, 2 * np.pi))
        pan = rng.uniform(0.3, 0.7)
        out[0] += wave * np.sqrt(1 - pan)
        out[1] += wave * np.sqrt(pan)
    return out


def _chord(chord: int, t: np.ndarray) -> np.ndarray:
    notes = CHORDS[chord]
    out = np.zeros((2, t.size))
    for i, steps in enumerate(notes):
        weight = 0.8 if i == 0 else 0.55  # the bass a little forward
        out += weight * _note(steps, t, seed=1000 * chord + steps)
    return out


def bed_loop(units: int) -> np.ndarray:
    """The bed: ``units`` units of the pad, looping seamlessly. Shape (2, units x 30720)."""
    n = np.arange(units * UNIT_SAMPLES)
    t = n / AUDIO_RATE
    loop_s = units * UNIT_SAMPLES / AUDIO_RATE
    one_unit = np.arange(UNIT_SAMPLES) / AUDIO_RATE
    # Every partial repeats each unit, so a chord is one unit's worth tiled.
    chords = {c: np.tile(_chord(c, one_unit), units) for c in set(PROGRESSION)}
    part = loop_s / len(PROGRESSION)
    fade = min(4.0, part / 2)
    out = np.zeros((2, n.size))
    for i, chord in enumerate(PROGRESSION):
        # Raised-cosine weight of this chord: in while the previous one fades, out likewise.
        centre = (i + 0.5) * part
        dist = np.abs((t - centre + loop_s / 2) % loop_s - loop_s / 2)  # wraps at the loop
        edge = part / 2 - fade / 2
        weight = np.clip((edge + fade - dist) / fade, 0, 1)
        weight = 0.5 - 0.5 * np.cos(np.pi * weight)
        if not weight.any():
            continue
        out += weight * chords[chord]
    swell = 0.8 + 0.2 * np.sin(2 * np.pi * SWELL_PERIODS * t / loop_s)
    return out * swell


def drone_unit() -> np.ndarray:
    """One unit of the drone (the home chord, steady): it repeats exactly every unit."""
    t = np.arange(UNIT_SAMPLES) / AUDIO_RATE
    return _chord(HOME, t)


def drone(samples: int, start: int = 0) -> np.ndarray:
    """The drone from signal sample ``start`` (any multiple of a unit is the same phase)."""
    unit = drone_unit()
    idx = (np.arange(samples) + start) % UNIT_SAMPLES
    return unit[:, idx]


def _ramp(units: int) -> np.ndarray:
    """0 → 1 within each aired unit: flat 0 for its first 3072 samples, flat 1 for its last
    3072 (the AAC windows around each splice see a steady signal), raised cosine between."""
    pos = aired_position(np.arange(units * UNIT_SAMPLES))
    lo, hi = 3 * AAC_FRAME_SAMPLES, UNIT_SAMPLES - 3 * AAC_FRAME_SAMPLES
    x = np.clip((pos - lo) / (hi - lo), 0, 1)
    return 0.5 - 0.5 * np.cos(np.pi * x)


def duck_loops(bed: np.ndarray, drone_level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(duck_down, duck_up): per unit, the bed crossfading into the drone and back.

    ``bed`` and ``drone_level`` are the level-set loops (same shape)."""
    r = _ramp(bed.shape[1] // UNIT_SAMPLES)
    return bed * (1 - r) + drone_level * r, drone_level * (1 - r) + bed * r


def chime() -> np.ndarray:
    """The alert's attention signal: a bell arpeggio, twice. Mono, peak 1."""
    n = round(CHIME_SECONDS * AUDIO_RATE)
    t = np.arange(n) / AUDIO_RATE
    out = np.zeros(n)
    notes = CHIME_NOTES_HZ * 2
    for i, freq in enumerate(notes):
        start = i * CHIME_STEP_S + (0.25 if i >= len(CHIME_NOTES_HZ) else 0)
        local = t - start
        on = local >= 0
        env = np.where(on, np.exp(-np.maximum(local, 0) / CHIME_DECAY_S), 0)
        env *= np.clip(np.maximum(local, 0) / 0.004, 0, 1)  # a 4 ms strike: no click
        for ratio, amp in ((1.0, 1.0), (2.0, 0.35), (3.0, 0.12), (4.2, 0.05)):
            out += env * amp * np.sin(2 * np.pi * freq * ratio * local)
    return out / np.max(np.abs(out))

"""How long an item will air, known before it is rendered: the editor sees it on the form.

The estimate runs the renderer's own layout (:func:`renderer.render.plan_item`: the same
pages the render makes) and its own timing (:func:`renderer.page.page_duration`), and draws
nothing, encodes nothing and synthesises nothing, so a web request can afford it. A narrated
page lasts at least as long as its narration; that is estimated from the page's script as
the announcer would read it, at the embedded voice's measured speed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from renderer.audio import SPEECH_LEAD_S, SPEECH_TAIL_S
from renderer.item_parser import parse_item
from renderer.narration import page_scripts
from renderer.normalise import normalise
from renderer.page import ReadingPace, page_duration
from renderer.render import plan_item
from renderer.theme import Branding
from renderer.timing import UNIT_SECONDS, snap_seconds

# espeak-ng's Mandarin voice at the default command's speed (-s 160) reads about 2.9
# characters a second of normalised text (measured on this project's narration, issue 10).
SPOKEN_CHARS_PER_SECOND = 2.9


@dataclass(frozen=True)
class AirEstimate:
    """Pages an item makes and the seconds each stays on air (on the 0.64 s grid)."""

    page_seconds: tuple[float, ...]

    @property
    def pages(self) -> int:
        return len(self.page_seconds)

    @property
    def seconds(self) -> float:
        return round(sum(self.page_seconds), 2)


def speech_seconds(script: str, *, yao: bool = False) -> float:
    """About how long the voice takes to read ``script`` (0 for nothing to say)."""
    spoken = normalise(script, yao=yao).strip()
    if not spoken:
        return 0.0
    return len(spoken) / SPOKEN_CHARS_PER_SECOND + SPEECH_LEAD_S + SPEECH_TAIL_S


def estimate_air_time(
    item: dict[str, Any],
    *,
    profile: str,
    branding: Branding,
    today: date,
    pace: ReadingPace | None = None,
    narrated: bool = False,
    recording_s: float = 0.0,
) -> AirEstimate:
    """The pages ``item`` makes on a channel and their time on air, one pass round its turn.
    ``recording_s``: the length of a recorded announcement, which airs in place of the
    narration, shared out over the pages as :mod:`renderer.recording` cuts it.

    Raises :class:`renderer.items.ItemError` for an invalid item, as the render would.
    """
    pace = pace or ReadingPace()
    parsed = parse_item(item) if not dataclasses.is_dataclass(item) else item
    _, specs = plan_item(parsed, profile=profile, branding=branding, today=today, pace=pace)
    seconds = [page_duration(spec.reading_chars, pace) for spec in specs]
    if recording_s > 0:
        return AirEstimate(tuple(recorded_seconds(seconds, recording_s)))
    if narrated or parsed.type == "alert":  # alerts are always read
        scripts = page_scripts(parsed, specs, today)
        seconds = [snap_seconds(max(s, speech_seconds(script)))
                   for s, script in zip(seconds, scripts, strict=True)]
    return AirEstimate(tuple(seconds))


def recorded_seconds(seconds: list[float], recording_s: float) -> list[float]:
    """Each page's time on air when a recording of ``recording_s`` is shared over pages
    wanting ``seconds``: about in proportion, on as many pages as it has phrases for."""
    from renderer.recording import MIN_PIECE_S

    count = max(1, min(len(seconds), int(recording_s // MIN_PIECE_S)))
    wanted = sum(seconds[:count]) or 1.0
    out = list(seconds)
    for i in range(count):
        piece = recording_s * seconds[i] / wanted
        # The duck down and back up around the piece, as a narrated page has them.
        out[i] = snap_seconds(max(seconds[i], piece + SPEECH_LEAD_S + SPEECH_TAIL_S
                                  + 2 * UNIT_SECONDS))
    return out

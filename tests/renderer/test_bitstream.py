"""The one ADTS reader: the encoder's checks and the playout's feed cut frames alike."""

from __future__ import annotations

import pytest

from playlists import elementary
from renderer.bitstream import AdtsError, EncodeError, adts_frames


def adts(n: int, size: int) -> list[bytes]:
    head = bytes(
        (0xFF, 0xF1, 0x4C, 0x80 | (size >> 11), (size >> 3) & 0xFF, (size & 7) << 5 | 0x1F, 0xFC)
    )
    return [head + bytes([i % 256]) * (size - 7) for i in range(n)]


def test_frames_are_cut_by_their_length() -> None:
    frames = adts(3, 13) + adts(2, 40)
    assert adts_frames(b"".join(frames)) == frames
    assert adts_frames(b"") == []


@pytest.mark.parametrize(("cut", "words"), [
    (lambda data: data[1:], "sync"),        # lost sync at the start
    (lambda data: data[:-1], "length"),     # last frame cut short
    (lambda data: data + b"\xff\xf1", "sync"),  # a stray tail shorter than a header
])
def test_a_stream_that_is_not_whole_frames_is_refused(cut, words) -> None:  # noqa: ANN001
    data = cut(b"".join(adts(3, 20)))
    # Both sides catch it as they always have: the renderer as EncodeError, the feed as
    # ValueError.
    for kind in (AdtsError, EncodeError, ValueError):
        with pytest.raises(kind, match=words):
            adts_frames(data)


def test_the_feed_uses_the_same_reader() -> None:
    assert elementary.split_adts is adts_frames

"""Narration switches: off airs the bed at once; on gives old pages their voice, one at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from publisher.jobs import pipeline
from publisher.models import Kind

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
VOICED = [{"key": "k1", "unit": "/u/k1.h264", "duration_s": 12.8, "audio": "/a/k1.adts"}]
UNVOICED = [{"key": "k1", "unit": "/u/k1.h264", "duration_s": 8.32, "audio": ""}]


def _version(pages: list[dict], *, narration: bool = True, kind: str = Kind.POLICY,
             vid: int = 1) -> SimpleNamespace:  # fmt: skip
    item = SimpleNamespace(narration=narration, kind=kind, ref=f"{kind}:{vid}")
    return SimpleNamespace(id=vid, number=1, item=item, data={}, pages={"demo": pages})


@pytest.fixture
def repair(monkeypatch: pytest.MonkeyPatch) -> tuple[pipeline.UnitRepair, list]:
    renders: list = []

    def render(data, channel, now, **options):  # noqa: ANN001, ANN003, ANN202
        renders.append(options)
        return VOICED

    monkeypatch.setattr(pipeline, "render_for_channel", render)
    monkeypatch.setattr(pipeline.UnitRepair, "whole", lambda self, pages, channel: True)
    monkeypatch.setattr(pipeline.db, "session", SimpleNamespace(commit=lambda: None))
    return pipeline.UnitRepair(), renders


def test_switched_off_the_pages_air_on_the_bed_without_a_render(repair) -> None:  # noqa: ANN001
    units, renders = repair
    channel = SimpleNamespace(slug="demo", narration=False)
    pages = units.sound_pages(_version(VOICED), channel, NOW)
    assert [p["audio"] for p in pages] == [""]
    assert renders == []
    item_off = units.sound_pages(_version(VOICED, narration=False),
                                 SimpleNamespace(slug="demo", narration=True), NOW)  # fmt: skip
    assert [p["audio"] for p in item_off] == [""]


def test_an_alert_keeps_its_voice_whatever_the_switch(repair) -> None:  # noqa: ANN001
    units, renders = repair
    channel = SimpleNamespace(slug="demo", narration=False)
    assert units.sound_pages(_version(VOICED, kind=Kind.ALERT), channel, NOW) == VOICED


def test_switched_on_old_pages_are_read_once_one_version_at_a_time(repair) -> None:  # noqa: ANN001
    units, renders = repair
    channel = SimpleNamespace(slug="demo", narration=True)
    first = _version(UNVOICED, vid=1)
    assert units.sound_pages(first, channel, NOW) == VOICED
    assert renders == [{"narrate": True}]
    # another version in the same moment waits its turn; it is read a few seconds later
    second = _version(UNVOICED, vid=2)
    assert units.sound_pages(second, channel, NOW) == UNVOICED
    later = NOW + pipeline.NARRATION_REFRESH + timedelta(seconds=1)
    assert units.sound_pages(second, channel, later) == VOICED
    # a version that still has nothing to say is not read again and again
    units.sound_pages(_version(UNVOICED, vid=1), channel, later + timedelta(minutes=1))
    assert len(renders) == 2

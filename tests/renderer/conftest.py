"""Fixtures for the renderer tests: branding, a fixed day, fonts and a fake metric."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from renderer.fonts import FontSet, default_fonts
from renderer.theme import DEFAULT_LOGO, Branding

TODAY = date(2026, 11, 22)  # a Sunday


class FakeMetrics:
    """Han characters and full-width punctuation 1 em wide, everything else half an em."""

    def measure(self, text: str, size: int) -> float:
        return sum(size if ord(c) > 0x2E80 else size / 2 for c in text)

    def line_height(self, size: int) -> int:
        return round(size * 1.5)


@pytest.fixture
def fake() -> FakeMetrics:
    return FakeMetrics()


@pytest.fixture(scope="session")
def fonts() -> FontSet:
    return default_fonts()


@pytest.fixture
def today() -> date:
    return TODAY


def make_branding(ticker: str = "", logo: Path | None = DEFAULT_LOGO) -> Branding:
    return Branding("幸福乡村频道", "乾元县监山乡", logo, "#1F4E79", "#F2B705", ticker)


@pytest.fixture
def branding() -> Branding:
    return make_branding()


@pytest.fixture
def ticker_branding() -> Branding:
    return make_branding("今晚有大风降温，请关好门窗，注意防寒保暖。")

"""End-to-end fixtures: the real app on a loopback port, driven by Debian's chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.stream import serve_app

CHROMIUM = "/usr/bin/chromium"
# Flags for a root, offline, headless machine: no sandbox, no background network calls.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture
def live_server(app) -> Iterator[str]:  # noqa: ANN001
    """Serve ``app`` on 127.0.0.1 in a thread; yields the base URL."""
    with serve_app(app) as url:
        yield url


@pytest.fixture
def page(browser):  # noqa: ANN001, ANN201
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def login(page, base_url: str, username: str, password: str = "secret-pass") -> None:  # noqa: ANN001
    """Log in through the real form."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")

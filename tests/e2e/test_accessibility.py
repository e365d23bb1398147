"""WCAG 2.1 AA basics, checked in chromium as a keyboard user meets them: a skip link first,
a focus ring that can be seen (≥ 3:1 against what is around it), help text of a readable size,
and the icon the browser asks for."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import login
from tests.publisher import test_people_support as support

org = support.org  # a fixture: pytest finds it as a module attribute

pytestmark = pytest.mark.browser

# The WCAG contrast ratio of two CSS colours, computed in the page from the used styles.
CONTRAST = """([fg, bg]) => {
  const rgb = c => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""
# The background a focused element sits on: the first ancestor with an opaque background.
BACKDROP = """el => { for (let n = el.parentElement; n; n = n.parentElement) {
  const c = getComputedStyle(n).backgroundColor;
  if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c; }
  return 'rgb(255, 255, 255)'; }"""


def ring(page) -> tuple[str, str, float]:  # noqa: ANN001
    """Outline colour and width of the focused element, and the colour behind it."""
    style = page.evaluate("() => { const s = getComputedStyle(document.activeElement);"
                          " return [s.outlineColor, s.outlineStyle, s.outlineWidth]; }")
    backdrop = page.evaluate(f"() => ({BACKDROP})(document.activeElement)")
    assert style[1] != "none", "the focused element has no outline"
    return style[0], backdrop, float(style[2].rstrip("px"))


def test_keyboard_user_skips_the_menu_and_sees_where_focus_is(live_server, page, org):
    login(page, live_server, "editor_a")
    page.goto(f"{live_server}/content/notice/new")
    page.keyboard.press("Tab")
    first = page.evaluate("() => { const e = document.activeElement;"
                          " return [e.className, e.textContent, e.getBoundingClientRect().top]; }")
    assert first[0] == "skip-link" and first[1] == "跳到主要内容" and first[2] >= 0
    colour, backdrop, width = ring(page)
    assert width >= 2 and page.evaluate(CONTRAST, [colour, backdrop]) >= 3
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the first control of the page, not the 15 menu links
    inside = page.evaluate("() => !!document.activeElement.closest('main')")
    assert inside
    colour, backdrop, width = ring(page)
    assert width >= 2 and page.evaluate(CONTRAST, [colour, backdrop]) >= 3
    # A menu link on the dark top bar: the ring must show there too.
    page.focus(".mainnav a")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    colour, backdrop, width = ring(page)
    assert page.evaluate(CONTRAST, [colour, backdrop]) >= 3
    sizes = page.eval_on_selector_all(".field .help", "els => els.map(e => parseFloat("
                                      "getComputedStyle(e).fontSize))")
    assert sizes and min(sizes) >= 14


def test_the_browser_finds_the_icon(live_server, page, org):
    login(page, live_server, "editor_a")
    href = page.get_attribute("link[rel=icon]", "href")
    response = page.request.get(f"{live_server}{href}")
    assert response.ok and response.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert page.request.get(f"{live_server}/favicon.ico").ok

"""Every admin page of the demo township in Chromium: no server error anywhere, and a real
rendered preview. Screenshots go to ``$VILLAGECAST_SHOTS`` (default: the test's tmp dir)
so a person can look at them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app):  # noqa: ANN001, ANN201
    """The seeded demo township; two items on air, one of them with a newer version pending."""
    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.jobs.pipeline import promote
    from publisher.models import ContentItem, RenderState, User
    from publisher.models.requests import ResidentRequest
    from publisher.seed import seed_demo
    from publisher.services import content

    with app.app_context():
        list(seed_demo())
        items = db.session.scalars(select(ContentItem).order_by(ContentItem.id)).all()
        for item in items[:8]:  # what the clock would do once they are rendered
            item.latest.render_state = RenderState.READY
            promote(item.latest)
        db.session.commit()
        editor = db.session.scalar(select(User).where(User.username == "editor"))
        first = items[0]
        data = {**first.latest.data, "amount": "每亩 110.5 元"}
        content.edit_item(editor, first, data, valid_from=first.latest.valid_from,
                          valid_until=first.latest.valid_until)
        content.submit(editor, first)
        failed = items[9].latest
        failed.render_state, failed.render_error = RenderState.FAILED, "RenderError: 字体缺失"
        _as_run(first, items[4])
        db.session.commit()
        request = db.session.scalar(select(ResidentRequest).order_by(ResidentRequest.id))
        return {"policy": first.id, "service": items[4].id, "request": request.id}


def _as_run(*items) -> None:  # noqa: ANN002
    """A few minutes of the as-run log, as the playout records it, for the channel page."""
    from datetime import timedelta

    from sqlalchemy import select

    from publisher.extensions import db
    from publisher.models import AsRunEntry, Channel, utcnow

    channel = db.session.scalar(select(Channel).where(
        Channel.township_id == items[0].township_id))
    refs = [(i.ref, i.latest.title, 1, 38_400) for i in items]
    refs += [(f"roster:{channel.township_id}", "干部分工", 2**40, 76_800),
             (f"ident:{channel.slug}", channel.name, 1, 7_680)]
    start = utcnow() - timedelta(minutes=5)
    for n, (ref, title, version, ms) in enumerate(refs):
        db.session.add(AsRunEntry(channel_id=channel.id, aired_at=start + timedelta(minutes=n),
                                  duration_ms=ms, item_ref=ref, version=version, title=title,
                                  page_key="0" * 16))


@pytest.fixture
def shots(tmp_path) -> Path:  # noqa: ANN001
    out = Path(os.environ.get("VILLAGECAST_SHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _visit(page, url: str, shot: Path, errors: list) -> None:  # noqa: ANN001
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    if response is None or response.status >= 500:
        errors.append(url)
    page.screenshot(path=str(shot), full_page=True)


def test_every_page_renders_for_each_role(live_server, browser, page, demo, shots):  # noqa: ANN001
    errors: list[str] = []
    page.on("response", lambda r: errors.append(r.url) if r.status >= 500 else None)
    page.goto(f"{live_server}/login")
    page.screenshot(path=str(shots / "00-login.png"))
    login(page, live_server, "editor", "demo1234")
    policy, service = demo["policy"], demo["service"]
    editor_pages = {
        "01-dashboard": "/",
        "02-policy-list": "/content/policy",
        "03-service-list": "/content/service",
        "04-produce-list": "/content/produce",
        "05-notice-list": "/content/notice",
        "06-policy-new": "/content/policy/new",
        "07-service-new": "/content/service/new",
        "08-produce-new": "/content/produce/new",
        "09-notice-new": "/content/notice/new",
        "10-policy-detail-new-version": f"/content/policy/{policy}",
        "11-policy-edit": f"/content/policy/{policy}/edit",
        "12-version-diff": f"/content/policy/{policy}/versions/2",
        "13-service-detail": f"/content/service/{service}",
        "14-policy-filtered": "/content/policy?q=补贴&on_air=yes",
        "15-not-found": "/content/policy/99999",
        "18-channel": "/channel",
        "19-requests": "/requests/",
        "19-requests-overdue": "/requests/?overdue=1",
        "19-request-new": "/requests/new",
        "19-request-detail": f"/requests/{demo['request']}",
    }
    for name, url in editor_pages.items():
        _visit(page, f"{live_server}{url}", shots / f"{name}.png", errors)
    page.goto(f"{live_server}/content/policy/new")
    page.click("text=保存并提交审核")
    page.screenshot(path=str(shots / "16-policy-new-errors.png"), full_page=True)
    assert page.locator(".field.has-error").count() >= 1

    reviewer = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    rpage = reviewer.new_page()
    rpage.on("response", lambda r: errors.append(r.url) if r.status >= 500 else None)
    login(rpage, live_server, "reviewer", "demo1234")
    _visit(rpage, f"{live_server}/review", shots / "20-review-queue.png", errors)
    _visit(rpage, f"{live_server}/review/{policy}", shots / "21-review-item.png", errors)
    reviewer.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                is_mobile=True, has_touch=True)
    ppage = phone.new_page()
    login(ppage, live_server, "reviewer", "demo1234")
    _visit(ppage, f"{live_server}/review/{policy}", shots / "22-review-item-phone.png", errors)
    _visit(ppage, f"{live_server}/", shots / "23-dashboard-phone.png", errors)
    _visit(ppage, f"{live_server}/requests/", shots / "24-requests-phone.png", errors)
    _visit(ppage, f"{live_server}/requests/{demo['request']}", shots / "25-request-phone.png",
           errors)
    phone.close()

    admin = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    apage = admin.new_page()
    login(apage, live_server, "admin", "demo1234")
    _visit(apage, f"{live_server}/audit", shots / "30-audit.png", errors)
    apage.click("table.audit details summary >> nth=0")
    apage.screenshot(path=str(shots / "31-audit-open.png"), full_page=True)
    _visit(apage, f"{live_server}/settings", shots / "32-settings.png", errors)
    _visit(apage, f"{live_server}/?lang=en", shots / "33-dashboard-en.png", errors)
    _visit(apage, f"{live_server}/content/policy/{policy}", shots / "34-policy-detail-en.png",
           errors)
    admin.close()
    assert errors == []


def test_preview_shows_the_rendered_pages_with_their_durations(live_server, app, page, demo,
                                                               shots):  # noqa: ANN001
    from publisher.jobs.clock import ContentClock

    login(page, live_server, "editor", "demo1234")
    page.goto(f"{live_server}/content/policy/{demo['policy']}")
    page.click("text=预览电视画面")
    page.wait_for_selector(".preview-status:has-text('排队')")
    with app.app_context():  # the clock process's part, done here in the test
        ContentClock(app).run_previews()
    page.wait_for_selector(".preview-pages figure img")
    page.wait_for_function("() => [...document.querySelectorAll('.preview-pages img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)")
    captions = page.locator(".preview-pages figcaption").all_text_contents()
    assert captions and all(re.search(r"第 \d+/\d+ 页 · 播出 [\d.]+ 秒", c) for c in captions)
    page.locator("#preview").screenshot(path=str(shots / "17-preview.png"))

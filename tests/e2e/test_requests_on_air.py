"""群众诉求 from a resident's text to the television, on the real parts.

A resident's SMS comes in through gammu-smsd (its dummy phone), the gateway hands it to the
dispatcher and it becomes a request; a second one is typed at the office desk with the
resident's name. Staff hand the first to a cadre in the admin, the cadre settles it (办结),
and the resident's texts leave the modem (the daemon's sent folder). Then the clock and the
playout run: the channel airs the month's statistics slide, proven on a frame decoded from
the live HLS, and no resident's name, number or words are in what airs or in the guide.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.e2e.stream import (
    difference,
    frame_at,
    running_clock,
    running_playout,
    wait_for,
    wait_for_plan,
)
from tests.publisher.test_people_support import client_for, post

pytestmark = pytest.mark.slow

SHOTS = Path(os.environ.get("VILLAGECAST_SHOTS", "/tmp/shots/requests"))
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN"}

RESIDENT = "13912345678"  # texts the township's gateway
SMS_TEXT = "张家村 村东头的路坏了，下雨天孩子上学没法走，请帮忙修一修。"
DESK = {"category": "基础设施", "village": "李家沟村", "resident_name": "王秀英",
        "resident_phone": "13700001111", "text": "村口路灯坏了一个多月，晚上出门看不见路。"}
CADRE_PHONE = "13800000001"
# Nothing of the residents may reach the air or the guide.
PERSONAL = (RESIDENT, DESK["resident_phone"], DESK["resident_name"], "村东头", "路灯")


@pytest.fixture
def gammu(app, tmp_path):
    """A real gammu-smsd on the dummy phone as the township's SMS gateway."""
    from publisher.sms.dummy_phone import DummyPhone, SmsDaemon
    from publisher.sms.gammu_config import write_config
    from publisher.sms.gammu_files import GammuFilesGateway

    spool = tmp_path / "spool"
    app.config["SMS_SPOOL_DIR"] = spool
    app.config["SMS_GATEWAY"] = GammuFilesGateway(spool)
    with SmsDaemon(write_config(spool)) as daemon:
        yield SimpleNamespace(daemon=daemon, phone=DummyPhone(spool), spool=spool)


def sent_to(spool: Path, number: str) -> list[str]:
    """What gammu-smsd actually transmitted to ``number``, oldest first."""
    return [path.read_bytes().decode("utf-16") for path in sorted((spool / "sent").iterdir())
            if path.name.split("_")[3] == number]


def sms_until(app, condition, what: str, timeout_s: float = 40):  # noqa: ANN001, ANN201
    """Run the clock's SMS work (read the inbox, hand queued texts to the daemon, read back
    what it sent) until ``condition()`` holds."""
    from publisher.extensions import db
    from publisher.inbound import dispatcher
    from publisher.models import utcnow
    from publisher.sms import store

    def tick():  # noqa: ANN202
        with app.app_context():
            now = utcnow()
            store.poll_inbox(dispatcher.handle, now)
            store.deliver_pending(now)
            store.refresh_statuses(now)
            db.session.remove()
        return condition()

    return wait_for(tick, timeout_s, what, poll_s=0.5)


def _world(app, township, make_user) -> SimpleNamespace:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import Cadre, User, Village, cadre_village

    make_user("xiaoli", "editor", township)
    cadre_user = make_user("zhangsan", "cadre", township)
    with app.app_context():
        village = db.session.scalar(select(Village).where(Village.name == "张家村"))
        cadre = Cadre(township_id=township, name="张三", phone=CADRE_PHONE, post="副乡长",
                      user_id=db.session.get(User, cadre_user).id)
        db.session.add(cadre)
        db.session.flush()
        db.session.execute(cadre_village.insert().values(cadre_id=cadre.id, village_id=village.id))
        db.session.commit()
        return SimpleNamespace(cadre=cadre.id)


@pytest.mark.sms
@pytest.mark.ffmpeg
def test_a_residents_text_is_handled_and_the_months_counts_air(
    app, live_server, township, make_user, gammu, tmp_path
):
    from playlists.plan import load_plan
    from playlists.timezones import to_local, zone
    from publisher.extensions import db
    from publisher.jobs import derived
    from publisher.models import AsRunEntry, Township, utcnow
    from publisher.models.requests import RequestStatus, ResidentRequest

    world = _world(app, township, make_user)

    # 1. The resident texts the gateway: the text becomes a request, the reply leaves the modem.
    gammu.phone.deliver("+86" + RESIDENT, SMS_TEXT)
    sms_until(app, lambda: sent_to(gammu.spool, RESIDENT), "the 已受理 reply to the resident")
    with app.app_context():
        request = db.session.scalar(select(ResidentRequest))
        rid, status, source = request.id, request.status, request.source
        assert request.text == SMS_TEXT and request.phone == RESIDENT
    assert (status, source) == (RequestStatus.ACCEPTED, "sms")
    (accepted,) = sent_to(gammu.spool, RESIDENT)
    assert re.fullmatch(rf"【监山乡】您的诉求已受理，编号{rid}，承办时限\d+月\d+日。", accepted)

    # 2. A second request at the office desk, with the resident's name.
    editor = client_for(app, "xiaoli")
    assert "已受理，编号" in _shown(post(editor, "/requests/new", DESK, follow_redirects=True))

    # 3. The office hands the text's request to the cadre; the cadre settles it.
    response = post(editor, f"/requests/{rid}/assign", {"cadre_id": world.cadre,
                                                        "note": "请三天内到现场查看"},
                    follow_redirects=True)
    assert "已交办。" in _shown(response)
    cadre = client_for(app, "zhangsan")
    response = post(cadre, f"/requests/{rid}/step", {"status": RequestStatus.RESOLVED,
                                                     "note": "已组织修补路面，可以通行"},
                    follow_redirects=True)
    assert "已更新为“办结”。" in _shown(response)
    resolved = f"【监山乡】您的诉求（编号{rid}）已办结。如有疑问请致电0991-1234567。"
    texts = sms_until(app, lambda: (t := sent_to(gammu.spool, RESIDENT)) and resolved in t
                      and t, "the 办结 text to the resident")
    assert texts[0] == accepted and texts[-1] == resolved
    assert re.fullmatch(rf"【监山乡】您的诉求（编号{rid}）已交张三办理，时限\d+月\d+日。", texts[1])
    assert len(texts) == 3  # one text per step, nothing else
    assert list((gammu.spool / "outbox").iterdir()) == []

    # 4. The channel airs the month's counts.
    with app.app_context():
        now = utcnow()
        township_row = db.session.get(Township, township)
        day = to_local(now, zone(township_row.timezone)).date()
        (slide,) = [s for s in derived.slides(township_row, day, now) if s.kind == "requests"]
    assert {k: slide.item[k] for k in ("received", "resolved", "on_time_rate", "rows")} == {
        "received": 2, "resolved": 1, "on_time_rate": 1.0,
        "rows": [{"category": "基础设施", "received": 1, "resolved": 0},
                 {"category": "其他", "received": 1, "resolved": 1}]}
    ref = f"requests:{township}"
    with running_clock(app):
        wait_for_plan(app)
        with running_playout(app, "jianshan"):

            def aired():  # noqa: ANN202
                with app.app_context():
                    entry = db.session.scalar(select(AsRunEntry).where(
                        AsRunEntry.item_ref == ref, AsRunEntry.page_no == 1))
                    db.session.remove()
                    return entry

            entry = wait_for(aired, 150, "the statistics slide in the as-run log")
            frame = frame_at(live_server, "jianshan", entry.aired_at + timedelta(seconds=2),
                             tmp_path / "frame.png")
            guide = _get(live_server, "/epg.xml")
    # What staff see of the air: the channel page (as-run, what comes next) and its as-run log.
    channel_page = _shown(editor.get("/channel?c=jianshan")) + _shown(
        editor.get("/channel/jianshan/asrun.csv"))
    plan_path = Path(app.config["PLAN_DIR"]) / "jianshan.json"
    plan = load_plan(plan_path)
    (item,) = [i for i in plan.items if i.id == ref]
    assert item.category == "requests" and "群众诉求" in item.title
    page = Path(item.pages[0].png)
    others = {i.id: Path(i.pages[0].png) for i in plan.items if i.id != ref}
    others["ident"] = Path(plan.filler.pages[0].png)

    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(page, SHOTS / "statistics-slide.png")
    shutil.copyfile(frame, SHOTS / "statistics-frame-from-hls.png")
    # The decoded frame is the statistics slide, not the ident, roster or whereabouts board.
    # (A board shares the slide's frame and dark ground, so it is nearer than a policy page
    # would be: measured 2 for the slide, 13 for the whereabouts board, 20 for the ident.)
    own = difference(frame, page)
    differences = {name: round(difference(frame, other), 1) for name, other in others.items()}
    assert own < 8, (own, differences)
    assert min(differences.values()) > max(10, 4 * own), (own, differences)
    assert "群众诉求" in guide
    with app.app_context():
        titles = [e.title for e in db.session.scalars(select(AsRunEntry))]
    aired_text = "\n".join([json.dumps(slide.item, ensure_ascii=False), plan_path.read_text(),
                            guide, channel_page, *titles])
    for secret in PERSONAL:
        assert secret not in aired_text, secret


def _shown(response) -> str:  # noqa: ANN001
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _get(base_url: str, path: str) -> str:
    import urllib.request

    with urllib.request.urlopen(f"{base_url}{path}", timeout=10) as response:
        return response.read().decode()


@pytest.mark.browser
def test_a_cadre_takes_a_request_on_a_390px_phone(app, live_server, browser, township,
                                                  make_user):
    from publisher.extensions import db
    from publisher.models.requests import ResidentRequest
    from tests.e2e.conftest import login

    _world(app, township, make_user)
    context = browser.new_context(**PHONE)
    phone = context.new_page()
    try:
        login(phone, live_server, "zhangsan")
        phone.goto(f"{live_server}/requests/phone")
        SHOTS.mkdir(parents=True, exist_ok=True)
        _no_sideways_scroll(phone)
        phone.screenshot(path=str(SHOTS / "phone-intake-390.png"), full_page=True)
        phone.select_option("#f-category", "矛盾纠纷")
        phone.fill("#f-village", "张家村")
        phone.fill("#f-resident_name", "赵大娘")
        phone.fill("#f-resident_phone", "13611112222")
        phone.fill("#f-text", "邻居家盖房占了我家半米宅基地，协商不成，请乡里调解。")
        button = phone.get_by_role("button", name="登记受理")
        box = button.bounding_box()
        assert box["height"] >= 60 and box["width"] >= 300  # a thumb-sized target
        button.tap()
        phone.wait_for_url(f"{live_server}/requests/phone")
        assert "已受理，编号" in phone.text_content("[role=alert]")
        _no_sideways_scroll(phone)
        phone.screenshot(path=str(SHOTS / "phone-intake-390-done.png"), full_page=True)
    finally:
        context.close()
    with app.app_context():
        row = db.session.scalar(select(ResidentRequest))
        assert (row.category, row.source, row.resident_name) == ("矛盾纠纷", "phone", "赵大娘")


def _no_sideways_scroll(page) -> None:  # noqa: ANN001
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"

"""The emergency section's entries in the audit log: Chinese, and linked to the right page."""

import io
import re

from .conftest import T0
from .test_cap import cap_xml


def _csrf(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _rows(html):
    """(action code, action label, target cell) of each row of the audit table."""
    return re.findall(r'<span class="badge action-([a-z_]+)">([^<]*)</span></td>\s*'
                      r'<td>(.*?)</td>', html, re.S)


def test_call_plan_has_its_own_target_type(app, world):
    from publisher.extensions import db
    from publisher.models import AuditEvent

    with app.app_context():
        (event,) = db.session.query(AuditEvent).filter_by(target_id=str(world.call_plan),
                                                          action="create").filter(
            AuditEvent.target_type.in_(("policy", "call_policy"))).all()
        assert event.target_type == "call_policy"


def test_emergency_entries_read_in_chinese_and_link_to_their_pages(app, client, auth, world):
    auth.login("boss")
    token = _csrf(client, "/emergency/alerts")
    client.post("/emergency/alerts", data={
        "csrf_token": token, "title": "暴雨红色预警", "body": "请村民远离河道。",
        "severity": "特别严重", "issued_by": "监山乡政府", "expires": "2026-11-23T18:00"})
    client.post("/emergency/alerts/cap", data={
        "csrf_token": token, "file": (io.BytesIO(cap_xml().encode()), "a.xml")},
        content_type="multipart/form-data")
    client.post(f"/emergency/households/{world.household}/reveal", data={"csrf_token": token})
    client.post(f"/emergency/households/{world.household}/drill", data={"csrf_token": token})
    html = client.get("/audit").get_data(as_text=True)
    rows = _rows(html)
    actions = {code: label for code, label, _ in rows}
    assert {"alert", "import", "reveal", "drill", "verify", "create"} <= set(actions)
    for code, label in actions.items():
        assert label != code and re.search(r"[\u4e00-\u9fff]", label), code
    targets = {re.search(r'<span class="kind">([^<]*)</span>', cell).group(1): cell
               for _, _, cell in rows if '<span class="kind">' in cell}
    for label in ("紧急通知", "CAP 预警", "重点户", "呼救", "应急联系人", "呼救设备", "呼救预案"):
        assert label in targets, label
    assert 'href="/emergency/policies"' in targets["呼救预案"]
    assert f'href="/emergency/households/{world.household}"' in targets["重点户"]
    assert re.search(r'href="/emergency/incidents/\d+"', targets["呼救"])
    assert 'href="/emergency/alerts"' in targets["紧急通知"]
    assert "href" not in targets["呼救设备"]
    assert "/content/policy/" not in html and "/content/alert/" not in html
    assert "（staff）" not in html and "staff" not in re.sub(r"<[^>]+>", "", html)
    for field in ("级别", "失效时间", "演练"):
        assert f'<th class="k">{field}</th>' in html, field
    assert "2026-11-23 18:00" in html  # the expiry in township time
    type_filter = re.search(r'<select name="type">(.*?)</select>', html, re.S).group(1)
    options = re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]*)</option>', type_filter)
    for code, label in options:
        assert label != code, code


def test_old_call_plan_entries_are_not_shown_as_subsidy_policies(app, client, auth, world):
    """Entries recorded before call plans had their own type are recognised by content."""
    from publisher.extensions import db
    from publisher.models import AuditEvent

    with app.app_context():
        db.session.add(AuditEvent(action="edit", township_id=world.township, target_type="policy",
                                  target_id=str(world.call_plan), summary="空巢老人预案", at=T0,
                                  after={"steps": [], "repeat_count": 0,
                                         "final": {"phone": "09911234567"}}))
        db.session.commit()
    auth.login("boss")
    html = client.get("/audit?action=edit").get_data(as_text=True)
    (row,) = [cell for _, _, cell in _rows(html) if "空巢老人预案" in cell]
    assert "呼救预案" in row and "/content/policy/" not in row

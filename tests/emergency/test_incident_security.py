"""Who may acknowledge, resolve or cancel a call for help (issue 11, item 6): the whole
role × action matrix through the web, and township/village scoping.

Cancelling texts every alerted responder "false alarm"; acknowledging stops the
escalation. So: administrators (the county's anywhere, a township's in it) and the cadres
stationed in the household's village may; editors, reviewers, cadres of other villages
and staff of other townships may not (other townships do not even learn the call exists).
"""

from __future__ import annotations

import re

import pytest

ACTIONS = ("acknowledge", "resolve", "cancel")
RESULT = {"acknowledge": "acknowledged", "resolve": "resolved", "cancel": "cancelled"}
# role → what each action answers: "ok" (done), 403 (refused) or 404 (not even shown).
MATRIX = {
    "county_admin": {"acknowledge": "ok", "resolve": "ok", "cancel": "ok"},
    "township_admin": {"acknowledge": "ok", "resolve": "ok", "cancel": "ok"},
    "reviewer": {"acknowledge": 403, "resolve": 403, "cancel": 403},
    "editor": {"acknowledge": 403, "resolve": 403, "cancel": 403},
    "cadre_of_village": {"acknowledge": "ok", "resolve": "ok", "cancel": "ok"},
    "cadre_of_other_village": {"acknowledge": 403, "resolve": 403, "cancel": 403},
    "cadre_without_record": {"acknowledge": 403, "resolve": 403, "cancel": 403},
    "admin_of_other_township": {"acknowledge": 404, "resolve": 404, "cancel": 404},
    "cadre_of_other_township": {"acknowledge": 404, "resolve": 404, "cancel": 404},
}


def _make(app, make_user, world, role: str) -> str:
    """A user playing ``role``; returns the username."""
    from publisher.extensions import db
    from publisher.models import Cadre, Township, Village, cadre_village

    if role == "township_admin":
        return "boss"
    if role == "editor":
        return "xiaoli"
    if role == "county_admin":
        make_user("county", role="admin")
        return "county"
    if role == "reviewer":
        make_user("leader", role="reviewer", township_id=world.township)
        return "leader"
    with app.app_context():
        if role.endswith("other_township"):
            other = Township(name="别的乡", county="乾元县")
            db.session.add(other)
            db.session.flush()
            village = Village(township_id=other.id, name="外乡村")
            db.session.add(village)
            db.session.commit()
            township, village_id = other.id, village.id
        else:
            township = world.township
            name = "张家村" if role == "cadre_of_village" else "李家沟村"
            village_id = db.session.query(Village).filter_by(
                township_id=township, name=name).one().id
    kind = "admin" if role.startswith("admin") else "cadre"
    user_id = make_user(role, role=kind, township_id=township)
    if kind == "cadre" and role != "cadre_without_record":
        with app.app_context():
            cadre = Cadre(township_id=township, name=role[:10], phone="13700000000",
                          user_id=user_id)
            db.session.add(cadre)
            db.session.flush()
            db.session.execute(cadre_village.insert().values(cadre_id=cadre.id,
                                                             village_id=village_id))
            db.session.commit()
    return role


def _open_incident(app, clock, world, helpers) -> int:
    return helpers.trigger(app, clock, world).incident_id


@pytest.mark.parametrize("role", list(MATRIX))
def test_role_by_action_matrix(app, client, auth, world, make_user, clock, helpers, role):
    username = _make(app, make_user, world, role)
    auth.login(username)
    token = re.search(r'name="csrf-token" content="([^"]+)"',
                      client.get("/emergency/").get_data(as_text=True)).group(1)
    seen = {}
    for action in ACTIONS:
        incident = _open_incident(app, clock, world, helpers)
        before = helpers.state(app, incident)
        response = client.post(f"/emergency/incidents/{incident}/{action}",
                               data={"csrf_token": token, "note": "已到现场处置"})
        after = helpers.state(app, incident)
        if response.status_code == 302 and after == RESULT[action]:
            seen[action] = "ok"
        else:
            assert after == before, f"{role} {action}: refused but the state changed"
            seen[action] = response.status_code
    assert seen == MATRIX[role]


def test_the_service_refuses_a_staff_actor_without_the_role(app, world, make_user, clock,
                                                            helpers):
    """The rule holds below the web layer too (any future API or CLI path)."""
    from publisher.extensions import db
    from publisher.models import Incident, User
    from publisher.services.errors import NotAllowed

    incident = _open_incident(app, clock, world, helpers)
    with app.app_context():
        editor = db.session.get(User, world.editor)
        row = db.session.get(Incident, incident)
        with pytest.raises(NotAllowed):
            from publisher.emergency import incidents

            incidents.change_state(row, "cancel", now=clock(), by="小李", actor=editor)
    assert helpers.state(app, incident) == "triggered"
    assert not [n for n, text in helpers.outbound(app) if "误报" in text]


def test_the_page_offers_only_the_allowed_buttons(app, client, auth, world, make_user, clock,
                                                  helpers):
    incident = _open_incident(app, clock, world, helpers)
    auth.login("xiaoli")
    page = client.get(f"/emergency/incidents/{incident}").get_data(as_text=True)
    assert "/cancel" not in page and "/acknowledge" not in page and "只能查看" in page
    auth.logout()
    auth.login("boss")
    page = client.get(f"/emergency/incidents/{incident}").get_data(as_text=True)
    assert "/cancel" in page and "/acknowledge" in page and "/resolve" in page

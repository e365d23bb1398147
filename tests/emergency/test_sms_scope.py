"""Received SMS belong to the township whose registered phone sent them."""

import pytest

from .conftest import CADRE, HOUSEHOLD

OTHER_CADRE = "13800000077"


@pytest.fixture
def inbox(app, world, clock, make_user):
    """Messages from 监山乡's cadre and household, another township's cadre, a stranger."""
    from publisher.extensions import db
    from publisher.inbound import dispatcher
    from publisher.models import Cadre, SmsMessage, Township

    with app.app_context():
        other = Township(name="东山乡", county="乾元县")
        db.session.add(other)
        db.session.flush()
        db.session.add(Cadre(township_id=other.id, name="赵七", phone=OTHER_CADRE))
        db.session.commit()
        other_id = other.id
    make_user("dongshan", role="admin", township_id=other_id)
    make_user("county", role="admin")
    ids = {}
    with app.app_context():
        for key, number, text in (("checkin", CADRE, "去向 张家村 走访"),
                                  ("household", HOUSEHOLD, "测试"),
                                  ("other", OTHER_CADRE, "东山乡的短信"),
                                  ("stranger", "13612345678", "陌生人的短信")):
            row = SmsMessage(direction="in", number=number, text=text, status="received",
                             received_at=clock(), created_at=clock())
            db.session.add(row)
            db.session.flush()
            dispatcher.handle(row, clock())
            db.session.commit()
            ids[key] = row.id
    return {"ids": ids, "other": other_id}


def test_the_dispatcher_records_the_senders_township(app, world, inbox):
    from publisher.extensions import db
    from publisher.models import SmsMessage

    with app.app_context():
        township = {key: db.session.get(SmsMessage, i).township_id
                    for key, i in inbox["ids"].items()}
    assert township == {"checkin": world.township, "household": world.township,
                        "other": inbox["other"], "stranger": None}


@pytest.mark.parametrize(("user", "seen", "hidden"), [
    ("boss", ["去向 张家村 走访", "陌生人的短信"], ["东山乡的短信"]),
    ("dongshan", ["东山乡的短信", "陌生人的短信"], ["去向 张家村 走访"]),
    ("county", ["去向 张家村 走访", "东山乡的短信", "陌生人的短信"], []),
])
def test_sms_page_lists_only_the_users_township(client, auth, inbox, user, seen, hidden):
    auth.login(user)
    html = client.get("/emergency/sms?all=1").get_data(as_text=True)
    for text in seen:
        assert text in html, text
    for text in hidden:
        assert text not in html, text


def test_an_acknowledgement_belongs_to_the_incidents_township(app, world, clock, helpers):
    from publisher.extensions import db
    from publisher.inbound import dispatcher
    from publisher.models import SmsMessage

    from .conftest import RELATIVE

    result = helpers.trigger(app, clock, world)
    helpers.tick(app, clock)
    with app.app_context():
        row = SmsMessage(direction="in", number=RELATIVE, text="1", status="received",
                         received_at=clock(), created_at=clock())
        db.session.add(row)
        db.session.flush()
        dispatcher.handle(row, clock())
        db.session.commit()
        assert (row.handled_as, row.related_id, row.township_id) == (
            "ack", result.incident_id, world.township)

"""Reply codes (issue 12): each call has its own short code; a bare "1" is taken only when
exactly one call is open for the number, otherwise the reply lists the open calls."""

import pytest

from publisher.emergency.engine import ACKNOWLEDGED, RESOLVED, TRIGGERED

from .conftest import RELATIVE


@pytest.fixture
def two_calls(app, world, clock, helpers):
    """王大爷 and 李奶奶 (same call_plan, so 李四 is alerted for both) each pressed once."""
    from publisher.emergency import incidents, registry
    from publisher.extensions import db
    from publisher.models import Household, User

    with app.app_context():
        admin = db.session.get(User, world.admin)
        second = registry.save_household(admin, world.township, registry.HouseholdData(
            village_id=world.village, kind="空巢老人", name="李奶奶", address="张家村5组3号",
            call_plan_id=world.call_plan, phones=[("本人", "13900000008")]))
        second_id = second.id
    first = helpers.trigger(app, clock, world).incident_id
    with app.app_context():
        other = incidents.trigger(db.session.get(Household, second_id), source="device",
                                  now=clock()).incident_id
        db.session.commit()
    helpers.tick(app, clock)
    return first, other


def reply(app, clock, number: str, text: str) -> str:
    """An inbound SMS through the dispatcher; returns the text of the reply it queued."""
    from publisher.extensions import db
    from publisher.inbound import dispatcher
    from publisher.models import SmsMessage

    with app.app_context():
        row = SmsMessage(direction="in", number=number, text=text, status="received",
                         received_at=clock(), created_at=clock())
        db.session.add(row)
        db.session.flush()
        dispatcher.handle(row, clock())
        db.session.commit()
        answer = db.session.query(SmsMessage).filter_by(reply_to_id=row.id).one()
        return answer.text


def codes(app, *ids):
    from publisher.extensions import db
    from publisher.models import Incident

    with app.app_context():
        return [db.session.get(Incident, i).reply_code for i in ids]


def test_each_open_call_gets_its_own_code_in_its_alert(app, two_calls, helpers):
    first, other = codes(app, *two_calls)
    assert first != other and len(first) == len(other) == 2
    texts = [t for n, t in helpers.outbound(app) if n == RELATIVE]
    assert [f"回复{first}确认" in texts[0], f"回复{other}确认" in texts[1]] == [True, True]
    assert all(len(t) <= 70 for t in texts)


def test_a_bare_1_with_two_open_calls_asks_which_and_changes_nothing(app, clock, two_calls,
                                                                     helpers):
    first, other = codes(app, *two_calls)
    answer = reply(app, clock, RELATIVE, "1")
    assert "您有2个未结呼救" in answer
    assert f"{first} 王大爷" in answer and f"{other} 李奶奶" in answer
    assert [helpers.state(app, i) for i in two_calls] == [TRIGGERED, TRIGGERED]


def test_replying_with_the_first_calls_code_acknowledges_the_first(app, clock, two_calls,
                                                                   helpers):
    first, other = codes(app, *two_calls)
    answer = reply(app, clock, RELATIVE, first)
    assert "已确认由您接警" in answer and "王大爷" in answer and f"办结{first}" in answer
    assert [helpers.state(app, i) for i in two_calls] == [ACKNOWLEDGED, TRIGGERED]
    assert ("reply", f"李四 138****0002回复“{first}”") in helpers.events(app, two_calls[0])
    # The second by its code; a "1" is still ambiguous while both are open.
    assert "您有2个未结呼救" in reply(app, clock, RELATIVE, "1")
    reply(app, clock, RELATIVE, f"回复{other}")
    assert [helpers.state(app, i) for i in two_calls] == [ACKNOWLEDGED, ACKNOWLEDGED]


def test_a_code_not_open_for_this_number_is_refused_with_the_list(app, clock, two_calls,
                                                                  helpers):
    answer = reply(app, clock, RELATIVE, "98")
    assert "编号98不是您的未结呼救" in answer
    assert [helpers.state(app, i) for i in two_calls] == [TRIGGERED, TRIGGERED]


def test_a_bare_1_works_once_only_one_call_is_open(app, clock, two_calls, helpers):
    first, other = codes(app, *two_calls)
    # Resolving needs no acknowledgement first.
    reply(app, clock, RELATIVE, f"办结{first} 误按，已电话确认平安")
    assert helpers.state(app, two_calls[0]) == RESOLVED
    assert "已确认由您接警" in reply(app, clock, RELATIVE, "1")
    assert helpers.state(app, two_calls[1]) == ACKNOWLEDGED


def test_codes_are_reused_only_after_the_call_closed(app, world, clock, two_calls, helpers):
    from publisher.emergency import incidents
    from publisher.extensions import db
    from publisher.models import Incident

    first, _other = codes(app, *two_calls)
    with app.app_context():
        incidents.change_state(db.session.get(Incident, two_calls[0]), "resolve", now=clock(),
                               by="张三", note="已送医")
    clock.advance(minutes=1)
    again = helpers.trigger(app, clock, world).incident_id
    assert codes(app, again) == [first]  # free again, and the other call's is not reused

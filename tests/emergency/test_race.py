"""Acknowledgement, resolution and the clock racing each other, with real threads on a
real database: the conditional UPDATEs let exactly one transition win each time."""

import threading
from datetime import timedelta

from publisher.emergency.engine import RESOLVED


def _run_together(app, *jobs):
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), []

    def runner(index, job):
        with app.app_context():
            from publisher.extensions import db

            barrier.wait()
            try:
                results[index] = job()
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results, errors


def _change(incident_id, action, now, by, note=""):
    from publisher.emergency import incidents
    from publisher.extensions import db
    from publisher.models import Incident
    from publisher.services.errors import ServiceError

    def job():
        try:
            incidents.change_state(db.session.get(Incident, incident_id), action, now=now,
                                   by=by, note=note)
            return "won"
        except ServiceError:
            db.session.rollback()
            return "refused"
    return job


def test_ack_and_resolve_race_into_one_consistent_end(app, world, clock, helpers):
    for _round in range(8):
        result = helpers.trigger(app, clock, world)
        jobs = [_change(result.incident_id, "acknowledge", clock(), f"应答{i}") for i in range(3)]
        jobs += [_change(result.incident_id, "resolve", clock(), f"办结{i}", "已处理")
                 for i in range(3)]
        outcomes, errors = _run_together(app, *jobs)
        assert errors == []
        acks, resolves = outcomes[:3].count("won"), outcomes[3:].count("won")
        assert resolves == 1 and acks <= 1
        assert helpers.state(app, result.incident_id) == RESOLVED
        kinds = [k for k, _ in helpers.events(app, result.incident_id) if k in
                 ("acknowledge", "resolve")]
        assert kinds == ["acknowledge"] * acks + ["resolve"]  # ack, if any, came first
        clock.advance(minutes=1)


def test_acknowledgement_racing_the_clock_never_sends_after_the_ack(app, world, clock,
                                                                   helpers):
    from publisher.emergency import escalation
    from publisher.extensions import db
    from publisher.models import Incident

    for _round in range(8):
        result = helpers.trigger(app, clock, world)
        helpers.tick(app, clock)  # step 1 sent
        clock.advance(seconds=300)  # step 2 now due
        now = clock()
        outcomes, errors = _run_together(
            app, lambda now=now: escalation.run_due(now),
            _change(result.incident_id, "acknowledge", now, "李四"))
        assert errors == [] and outcomes[1] == "won"
        events = helpers.events(app, result.incident_id)
        kinds = [k for k, _ in events]
        sends = [i for i, k in enumerate(kinds) if k == "send"]
        assert len(sends) in (1, 2)  # step 2 went out only if the clock got there first
        assert all(i < kinds.index("acknowledge") for i in sends)
        clock.advance(hours=1)
        helpers.tick(app, clock)
        assert [k for k, _ in helpers.events(app, result.incident_id)].count("send") == len(sends)
        with app.app_context():
            incident = db.session.get(Incident, result.incident_id)
            assert incident.next_action_at == clock() + timedelta(minutes=30)  # a reminder
            from publisher.emergency import incidents
            incidents.change_state(incident, "resolve", now=clock(), by="t", note="完")
        clock.advance(minutes=1)


def test_concurrent_presses_open_one_incident(app, world, clock, helpers):
    from publisher.emergency import incidents
    from publisher.extensions import db
    from publisher.models import Household
    from publisher.models.emergency import Incident, TriggerLog

    def press():
        household = db.session.get(Household, world.household)
        return incidents.trigger(household, source="device", now=clock()).incident_id

    outcomes, errors = _run_together(app, *[press for _ in range(6)])
    assert errors == []
    assert len(set(outcomes)) == 1
    with app.app_context():
        assert db.session.query(Incident).count() == 1
        assert db.session.query(TriggerLog).count() == 6

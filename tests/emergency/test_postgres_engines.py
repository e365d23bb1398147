"""Two clock processes (two apps, each with its own connection pool, as two machines would
have) running the same due escalation step at the same moment, on the real database of
the pass (SQLite, or PostgreSQL with VILLAGECAST_TEST_DB=postgresql): the conditional
UPDATE lets exactly one of them claim it, so the responder gets one SMS, not two."""

from __future__ import annotations

import threading

import pytest


@pytest.fixture
def second_clock(app):  # noqa: ANN001, ANN201
    """Another app on the same database and data directory (the same key file)."""
    from publisher import create_app
    from publisher.extensions import db

    other = create_app({"TESTING": True, "DATA_DIR": app.config["DATA_DIR"],
                        "SECRET_KEY": "test",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    yield other
    with other.app_context():
        db.engine.dispose()


def _race(apps, job):  # noqa: ANN001, ANN202
    barrier = threading.Barrier(len(apps))
    results, errors = [None] * len(apps), []

    def run(index: int, app) -> None:  # noqa: ANN001
        from publisher.extensions import db

        with app.app_context():
            barrier.wait()
            try:
                results[index] = job()
            except Exception as exc:  # noqa: BLE001 - asserted below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(apps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


def test_two_clocks_claim_each_due_step_once(app, second_clock, world, clock, helpers):  # noqa: ANN001
    from publisher.emergency import escalation, incidents
    from publisher.extensions import db
    from publisher.models import Incident

    from .conftest import DOCTOR

    for _round in range(6):
        result = helpers.trigger(app, clock, world)
        helpers.tick(app, clock)  # step 1 (the relative) sent
        clock.advance(seconds=300)  # step 2 (the doctor) due
        now = clock()
        before = helpers.numbers(app).count(DOCTOR)
        queued, errors = _race([app, second_clock], lambda now=now: escalation.run_due(now))
        assert errors == []
        assert sorted(len(q) for q in queued) == [0, 1]  # one clock queued the doctor's SMS
        assert helpers.numbers(app).count(DOCTOR) == before + 1
        sends = [d for k, d in helpers.events(app, result.incident_id) if k == "send"]
        assert len(sends) == 2  # one per step, none twice
        with app.app_context():
            incident = db.session.get(Incident, result.incident_id)
            incidents.change_state(incident, "resolve", now=clock(), by="t", note="完")
        clock.advance(minutes=1)

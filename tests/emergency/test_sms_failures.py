"""An SMS the gateway never sent, as the incident log tells it."""

from publisher.emergency import delivery
from publisher.sms import store


def test_a_stuck_gateway_is_logged_once_without_doubled_brackets(app, world, clock, helpers):
    from publisher.extensions import db
    from publisher.models import SmsMessage

    result = helpers.trigger(app, clock, world)
    helpers.tick(app, clock)  # handed to the spool; no daemon sends it
    clock.advance(seconds=200)
    with app.app_context():
        assert store.refresh_statuses(clock(), timeout_s=120) == 1
        delivery.sync_attempts(clock())
        (failed,) = db.session.query(SmsMessage).filter_by(status="failed").all()
        assert failed.error == "超过 120 秒仍未发出，短信网关可能未运行"
        db.session.remove()
    (detail,) = [d for kind, d in helpers.events(app, result.incident_id)
                 if kind == "status"]
    assert detail == ("短信发送失败：李四 138****0002；原因：超过 120 秒仍未发出，"
                      "短信网关可能未运行")
    assert "））" not in detail

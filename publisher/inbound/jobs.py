"""The SMS jobs of the clock process: read the inbox (each message to the dispatcher), hand
queued messages over, read back their status. Each run opens its own app context and is
safe to repeat. Here, above the gateway (publisher.sms) it drives and the domains the
dispatcher serves."""

from __future__ import annotations

import logging

from flask import Flask

from publisher.extensions import db

log = logging.getLogger(__name__)
TICK_SECONDS = 1


def sms_tick(app: Flask) -> None:
    from publisher.emergency import wallstep
    from publisher.inbound import dispatcher
    from publisher.sms import spool, store
    from publisher.sms.routes import get_routes

    with app.app_context():
        try:
            # The emergency tick's guard: send timeouts count from wall-clock times too.
            with wallstep.guard_for(app).tick() as now:
                store.poll_inbox(dispatcher.handle, now)
                # Read back first: a slot a modem freed is filled in the same tick.
                store.refresh_statuses(now, timeout_s=app.config.get(
                    "SMS_ROUTE_TIMEOUT_S", app.config.get("SMS_SEND_TIMEOUT_S", 120)))
                store.deliver_pending(now)
            # Last, after every result above is committed: no number stays on disk.
            spool.sweep(get_routes())
        except Exception:  # noqa: BLE001 - the clock must keep ticking
            db.session.rollback()
            log.exception("SMS tick failed")
        finally:
            db.session.remove()


def register(scheduler, app: Flask) -> None:  # noqa: ANN001
    """Called by publisher.jobs.clock: poll the gateway every second."""
    scheduler.add_job(sms_tick, "interval", seconds=TICK_SECONDS, args=[app], id="sms",
                      max_instances=1, coalesce=True)

"""The SMS queue: the one module that decides what is sent, when and by which route.

Every outbound message is a row (``store.queue_sms``); this module alone hands rows to a
route. Order: priority letter, then age — first notifications of a new call (A) before
repeats (B), repeats before reminders and links (C), confirmations and check-in replies
(D) last. A modem gets at most ``routes.MODEM_WINDOW`` files at a time and the next one
only when gammu has moved one to ``sent/``, so the priority order holds at the modem
itself rather than being lost in gammu's own outbox order, and nothing waits long
enough in an outbox to go stale.

Nothing expires silently: a message stuck in a route's outbox past the route timeout (or
put in ``error/``, or refused by the HTTP gateway) is taken back and goes to the next
route it has not tried — another modem, the HTTP gateway, and for emergency messages
(A/B) the voice webhook — and a message about an incident says so in the incident's log.
Only when every route has failed is it failed, which the escalation treats as before.

The routes a message tried are kept on the row, one line each in ``raw`` ("route\\tresult"),
which inbound rows use for the gateway's raw text and outbound rows did not use.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from publisher.extensions import db
from publisher.models import SmsMessage, SmsStatus
from publisher.sms.gateway import GatewayError, SendStatus
from publisher.sms.routes import Route, get_routes
from publisher.vault.redact import redact

log = logging.getLogger(__name__)

# Priority letters (gammu's own outbox order uses the same letters, A first).
FIRST, REPEAT, REMINDER, REPLY = "A", "B", "C", "D"
EMERGENCY = (FIRST, REPEAT)
# A row left "sending" this long was claimed by a worker that died: hand it over again
# (the gateway's idempotency ref prevents a duplicate).
RECLAIM_AFTER = timedelta(seconds=30)
# A route whose message timed out gets no new message for this long while another route
# is left (a dead daemon would otherwise swallow a window of messages every timeout).
# Kept in memory: after a restart the route is simply tried again.
REST_AFTER_TIMEOUT = timedelta(seconds=60)
# An emergency message still in our queue this long (every ordinary route busy) may go
# by the voice webhook, if one is configured.
LAST_RESORT_AFTER = timedelta(seconds=60)
_lock = threading.Lock()  # the escalation and SMS jobs both release messages
ROUTE_NAMES = {"gammu": "短信猫", "http": "短信平台", "voice": "语音/外部网关"}


def step_priority(seq: int, round_no: int = 1) -> str:
    """The priority of an escalation step's notification: the first step of the first
    round is a new call's first notification, every later one a repeat."""
    return FIRST if seq == 0 and round_no == 1 else REPEAT


def route_label(name: str) -> str:
    base = name.rstrip("0123456789")
    number = name[len(base):]
    return f"{ROUTE_NAMES.get(base, name)}{number}"


def tried(row: SmsMessage) -> list[str]:
    """The routes this message has left or tried, in order."""
    return [line.split("\t", 1)[0] for line in (row.raw or "").splitlines() if line]


def _mask(number: str) -> str:
    return f"{number[:3]}****{number[-4:]}" if len(number) >= 8 else "****"


def _rest() -> dict[str, datetime]:
    return current_app.extensions.setdefault("sms_route_rest", {})


def _inflight() -> dict[str, int]:
    return dict(db.session.execute(
        select(SmsMessage.gateway, func.count()).where(
            SmsMessage.direction == "out", SmsMessage.status == SmsStatus.QUEUED)
        .group_by(SmsMessage.gateway)).all())


def _claim(row: SmsMessage, now: datetime) -> bool:
    result = db.session.execute(
        update(SmsMessage)
        .where(SmsMessage.id == row.id, SmsMessage.status == row.status,
               SmsMessage.status_at == row.status_at)
        .values(status=SmsStatus.SENDING, status_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _choose(row: SmsMessage, routes: list[Route], free: dict[str, int], now: datetime,
            resting: frozenset[str] = frozenset()) -> Route | None | bool:
    """The route for ``row``: a Route, None (all busy: wait), False (none left to try).

    A resting route (one whose message just timed out) is used only when no other route
    is left for the message: with a single modem there is nothing better to try.
    """
    done = set(tried(row))
    left = [r for r in routes if r.name not in done]
    emergency = row.priority in EMERGENCY
    if all(r.last_resort for r in left):
        candidates = left if emergency else []  # only the voice webhook is left
        if not candidates:
            return False
    else:
        waited = row.created_at is not None and now - row.created_at >= LAST_RESORT_AFTER
        candidates = [r for r in left if not r.last_resort or (emergency and waited)]
    awake = [r for r in candidates if r.name not in resting]
    return next((r for r in awake or candidates if free.get(r.name, 0) > 0), None)


def release(now: datetime) -> int:
    """Hand waiting messages to free routes, highest priority first. Returns how many."""
    with _lock:
        return _release(now)


def _release(now: datetime) -> int:
    routes = get_routes()
    inflight = _inflight()
    resting = frozenset(name for name, until in _rest().items() if until > now)
    free = {r.name: r.window - inflight.get(r.name, 0) for r in routes}
    if not any(n > 0 for n in free.values()):
        return 0
    rows = db.session.scalars(
        select(SmsMessage).where(
            SmsMessage.direction == "out",
            or_(SmsMessage.status == SmsStatus.PENDING,
                (SmsMessage.status == SmsStatus.SENDING)
                & (SmsMessage.status_at < now - RECLAIM_AFTER)))
        .order_by(SmsMessage.priority, SmsMessage.id).limit(500)).all()
    plan: list[tuple[int, Route]] = []
    for row in rows:
        if not any(n > 0 for n in free.values()):
            break
        route = _choose(row, routes, free, now, resting)
        if route is False:
            _fail(row, now)
            continue
        if route is None or not _claim(row, now):
            continue
        free[route.name] -= 1
        plan.append((row.id, route))
    db.session.commit()  # claimed: another worker now sees them taken
    handed = 0
    for row_id, route in plan:
        row = db.session.get(SmsMessage, row_id)
        handed += _hand_over(row, route, now)
        db.session.commit()
    return handed


def _hand_over(row: SmsMessage, route: Route, now: datetime) -> int:
    try:
        ref = route.gateway.send(row.number, row.text, ref=f"m{row.id}", priority=row.priority,
                                 at=row.created_at)
    except GatewayError as exc:
        row.gateway = route.name
        # The reason is stored and shown in the incident log: no number in it.
        _reroute(row, route.name, redact(str(exc))[:200], now)
        return 0
    except OSError as exc:
        # The spool's disk is full (or gone): a fault of ours, not the message's. It
        # waits and is handed over again next tick.
        log.warning("cannot hand SMS %s to route %s, retrying: %s", row.id, route.name, exc)
        row.status, row.status_at = SmsStatus.PENDING, now
        return 0
    row.gateway, row.gateway_ref, row.status_at = route.name, ref, now
    row.raw = f"{row.raw or ''}{route.name}\t{now:%H:%M:%S}\n"
    row.status = SmsStatus.SENT if route.synchronous else SmsStatus.QUEUED
    if len(tried(row)) > 1:
        _note(row, f"短信改由{route_label(route.name)}发送：{_mask(row.number)}", now)
    return 1


def _reroute(row: SmsMessage, route_name: str, reason: str, now: datetime) -> None:
    """Take ``row`` back from ``route_name`` so the next route gets it; failed at once
    when no route is left."""
    lines = [line for line in (row.raw or "").splitlines() if line]
    if not lines or not lines[-1].startswith(f"{route_name}\t"):
        lines.append(f"{route_name}\t{now:%H:%M:%S}")
    lines[-1] += f"\t{reason}"
    row.raw = "\n".join(lines) + "\n"
    # gateway/gateway_ref keep naming the route it last tried until another takes it.
    row.status, row.status_at, row.error = SmsStatus.PENDING, now, reason[:500]
    routes = get_routes()
    if _choose(row, routes, {r.name: 1 for r in routes}, now) is False:
        _fail(row, now)
        return
    log.warning("SMS %s did not leave by route %s (%s); trying the next route",
                row.id, route_name, reason)
    _note(row, f"短信未能经{route_label(route_name)}发出（{reason}），"
               f"转其他线路：{_mask(row.number)}", now)


def _fail(row: SmsMessage, now: datetime) -> None:
    """Every route was tried: the message failed (the escalation moves on)."""
    lines = [line.split("\t") for line in (row.raw or "").splitlines() if line]
    if len(lines) > 1:
        row.error = _("所有线路均未能发出：%(routes)s", routes="；".join(
            f"{route_label(p[0])} {p[-1] if len(p) > 2 else ''}".strip() for p in lines))[:500]
    row.error = row.error or _("短信网关报告发送失败")
    row.status, row.status_at = SmsStatus.FAILED, now


# Who is told of a message's change of route, by the message's ``related_type``: (related
# id, text, now). The emergency package registers the incident log's writer; the gateway
# does not import the domains that use it.
RouteNote = Callable[[int, str, datetime], None]
ROUTE_NOTES: dict[str, RouteNote] = {}


def _note(row: SmsMessage, text: str, now: datetime) -> None:
    """Tell whoever the message is about of its changed route (the text shows no full
    number)."""
    write = ROUTE_NOTES.get(row.related_type or "")
    if write is not None and row.related_id is not None:
        write(row.related_id, text, now)


def track(now: datetime, *, timeout_s: float) -> int:
    """Read back what left each route; take back what is stuck or failed there. Returns
    how many messages changed."""
    with _lock:
        return _track(now, timeout_s)


def _track(now: datetime, timeout_s: float) -> int:
    routes = {r.name: r for r in get_routes()}
    rows = db.session.scalars(
        select(SmsMessage).where(SmsMessage.direction == "out",
                                 SmsMessage.status == SmsStatus.QUEUED)
        .order_by(SmsMessage.id).limit(1000)).all()
    changed = 0
    for row in rows:
        route = routes.get(row.gateway)
        if route is None:  # its route is no longer configured
            _reroute(row, row.gateway, _("线路已停用"), now)
            changed += 1
            continue
        try:
            status = route.gateway.status(row.gateway_ref or "")
            if status == SendStatus.QUEUED and row.status_at and (
                    now - row.status_at > timedelta(seconds=timeout_s)):
                if route.gateway.cancel(row.gateway_ref or ""):
                    _rest()[route.name] = now + REST_AFTER_TIMEOUT
                    # No brackets: the incident log quotes this inside its own.
                    _reroute(row, route.name, _("超过 %(n)d 秒仍未发出，短信网关可能未运行",
                                                n=int(timeout_s)), now)
                    changed += 1
                    continue
                status = route.gateway.status(row.gateway_ref or "")
        except GatewayError as exc:
            log.warning("status of SMS %s unknown: %s", row.id, exc)
            continue
        if status == SendStatus.SENT:
            row.status, row.status_at = SmsStatus.SENT, now
            changed += 1
        elif status == SendStatus.FAILED:
            _reroute(row, route.name, _("短信网关报告发送失败"), now)
            changed += 1
    db.session.commit()
    return changed

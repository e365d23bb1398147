"""Login throttling: too many failures for one account, or from one address, lock it a while.

The failures are rows in the database (:class:`LoginFailure`), not counters in a worker's
memory: gunicorn runs several workers, each would count its own share (Flask-Limiter's
memory storage) and a restart would forget them; a shared store would mean running Redis
beside SQLite. Only failures count, per account whichever address they come from, and
per address whichever account they try. While locked, even the right password is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from publisher.extensions import db
from publisher.models import LoginFailure

# Failures within WINDOW that lock an account: enough for a few typing mistakes, far too
# few to guess a password that passed the policy (≈ 480 tries a day at most).
ACCOUNT_LIMIT = 5
# Failures within WINDOW that lock an address: higher, since one township office may
# share one address (NAT) among many staff.
ADDRESS_LIMIT = 20
WINDOW = timedelta(minutes=15)


def retry_after(failures: Iterable[datetime], limit: int, now: datetime,
                window: timedelta = WINDOW) -> timedelta | None:
    """How long until a login may be tried again, or None when it may be tried now.

    Locked while ``limit`` failures fall in the ``window`` before ``now``; it opens when the
    oldest of those leaves the window.
    """
    recent = sorted(t for t in failures if now - window < t <= now)
    if len(recent) < limit:
        return None
    return recent[-limit] + window - now


def normal_name(username: str) -> str:
    """The key failures are counted under: ``Admin`` and ``admin `` are one account."""
    return username.strip().lower()[:64]


def lockout(username: str, remote_addr: str, now: datetime) -> timedelta | None:
    """How long this account or this address is still locked, or None."""
    since = now - WINDOW
    by_account = db.session.scalars(select(LoginFailure.at).where(
        LoginFailure.username == normal_name(username), LoginFailure.at > since))
    by_address = db.session.scalars(select(LoginFailure.at).where(
        LoginFailure.remote_addr == remote_addr[:64], LoginFailure.at > since))
    waits = [retry_after(by_account, ACCOUNT_LIMIT, now),
             retry_after(by_address, ADDRESS_LIMIT, now) if remote_addr else None]
    waits = [w for w in waits if w is not None]
    return max(waits) if waits else None


def record_failure(username: str, remote_addr: str, now: datetime) -> None:
    """Count one failure (the caller commits); rows past the window are dropped."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))
    db.session.add(LoginFailure(at=now, username=normal_name(username),
                                remote_addr=remote_addr[:64]))


def forget(username: str, remote_addr: str) -> None:
    """After a successful login, this address's earlier mistakes on this account are
    forgiven; failures from other addresses still count."""
    db.session.execute(delete(LoginFailure).where(
        LoginFailure.username == normal_name(username),
        LoginFailure.remote_addr == remote_addr[:64]))

"""Leases: several nodes share the channels (and jobs) through the database.

Each playout process is a node with an id (``VILLAGECAST_NODE_ID``, default the host name).
A channel is aired by the node that holds its lease: a row in ``lease`` naming the holder,
when the lease runs out and its generation. The holder renews its leases every
``RENEW_EVERY_S``; a node that stops renewing (killed, cut off, frozen) loses them
``LEASE_TTL`` later, and any live node may then claim them, up to its fair share (the
channels divided by the live nodes, rounded up), so a new node takes over part of the work
and a dead node's channels are aired again within about ten seconds.

Fencing: every claim adds one to the lease's generation. A node writes a channel's output
only while it is sure of its lease: HLS and UDP up to ``SAFETY`` before the lease could run
out as last renewed (measured on the monotonic clock from before the renewal was sent), and
as-run entries in a transaction that finds the lease still carrying the node's generation.
A node whose lease was taken over therefore stops before the new holder starts, and never
writes beside it.

Claims lock rows with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so nodes claiming at
once never wait on each other; on SQLite (one writer at a time) each claim is an UPDATE whose
condition is that the lease is free. Times compared across nodes are the nodes' wall clocks:
keep them synchronised (NTP), well within ``SAFETY``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from publisher.models import Lease, LeaseNode

LEASE_TTL = timedelta(seconds=6)  # a dead node's channels are free this long after its last renewal
RENEW_EVERY_S = 1.5  # four renewals per TTL: one slow database answer loses nothing
# A holder stops writing this long before its lease could be taken: room for the nodes'
# clocks to differ and for a write under way to finish.
SAFETY = timedelta(seconds=1.5)


def channel_lease(slug: str) -> str:
    return f"channel:{slug}"


def fair_share(things: int, live_nodes: int) -> int:
    """How many of ``things`` one of ``live_nodes`` nodes takes: all of them split evenly,
    rounded up so that together the nodes always cover every one."""
    return math.ceil(things / max(1, live_nodes))


def above_share(held: Iterable[str], share: int) -> list[str]:
    """The leases a node gives up when it holds more than its share (the last by name, so
    every node agrees which ones move and a channel does not bounce between nodes)."""
    return sorted(held)[max(0, share):]


@dataclass(frozen=True)
class Held:
    """A lease this node holds: its fencing token and until when it may write (monotonic)."""

    name: str
    generation: int
    write_until: float


class LeaseBook:
    """One node's leases of one role (``playout``, ``worker``), kept through ``session``.

    ``now`` (UTC) is always an argument; ``monotonic`` is the clock the write deadlines are
    measured on (both faked in tests).
    """

    def __init__(self, session: Session, node: str, role: str, *, ttl: timedelta = LEASE_TTL,
                 safety: timedelta = SAFETY,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if not node or len(node) > 64:
            raise ValueError(f"a node id has 1 to 64 characters: {node!r}")
        self.session = session
        self.node = node
        self.role = role
        self.ttl = ttl
        self.safety = safety
        self.monotonic = monotonic
        self.held: dict[str, Held] = {}

    # --- what the owner asks ---------------------------------------------------------

    def may_write(self, name: str, generation: int | None = None) -> bool:
        """Whether this node may still write ``name``'s output (at ``generation``, if given).
        No database involved: feeds ask before every segment."""
        held = self.held.get(name)
        return (held is not None and self.monotonic() < held.write_until
                and generation in (None, held.generation))

    def fence(self, name: str) -> Callable[[], bool]:
        """``may_write`` for the lease as held now: a feed started under this claim stays
        fenced off even if the node later claims the same lease again for a new feed."""
        generation = self.token(name)
        return lambda: self.may_write(name, generation)

    def token(self, name: str) -> int | None:
        held = self.held.get(name)
        return held.generation if held else None

    # --- presence ----------------------------------------------------------------------

    def heartbeat(self, now: datetime) -> int:
        """Say this node is alive; the number of live nodes of its role (itself included)."""
        row = self.session.get(LeaseNode, (self.role, self.node))
        if row is None:
            self.session.add(LeaseNode(role=self.role, node=self.node, seen_at=now))
        else:
            row.seen_at = now
        self.session.commit()
        return self.session.scalar(
            select(func.count()).select_from(LeaseNode)
            .where(LeaseNode.role == self.role, LeaseNode.seen_at > now - self.ttl)
        ) or 1

    def leave(self) -> None:
        """A clean shutdown: every lease released and the node gone from the live count, so
        the others take its work at their next turn instead of after the TTL."""
        self.release(list(self.held))
        self.session.execute(delete(LeaseNode).where(LeaseNode.role == self.role,
                                                     LeaseNode.node == self.node))
        self.session.commit()

    # --- leases -------------------------------------------------------------------------

    def claim(self, names: Sequence[str], want: int, now: datetime) -> list[str]:
        """Take up to ``want`` of ``names`` that are free, expired or already this node's
        (a restarted node takes its own back at once), in the order given (most urgent
        first); the names taken, in that order."""
        names = [n for n in dict.fromkeys(names) if n not in self.held]
        if want <= 0 or not names:
            return []
        self._ensure_rows(names)
        started = self.monotonic()
        free = or_(Lease.holder == "", Lease.holder == self.node, Lease.expires_at < now)
        mine_first = case((Lease.holder == self.node, 0), else_=1)
        as_given = case({name: i for i, name in enumerate(names)}, value=Lease.name)
        if self._dialect() == "postgresql":
            rows = self.session.execute(
                select(Lease.name, Lease.generation).where(Lease.name.in_(names), free)
                .order_by(mine_first, as_given).limit(want).with_for_update(skip_locked=True)
            ).all()
            won = []
            for name, generation in rows:
                self.session.execute(
                    update(Lease).where(Lease.name == name)
                    .values(holder=self.node, generation=generation + 1, expires_at=now + self.ttl)
                    .execution_options(synchronize_session=False))
                won.append((name, generation + 1))
        else:
            candidates = self.session.scalars(
                select(Lease.name).where(Lease.name.in_(names), free)
                .order_by(mine_first, as_given)
            ).all()
            won = []
            for name in candidates:
                if len(won) >= want:
                    break
                # The condition is checked again under SQLite's write lock: of two nodes
                # claiming at once, the second finds the lease taken and changes nothing.
                generation = self.session.execute(
                    update(Lease).where(Lease.name == name, free)
                    .values(holder=self.node, generation=Lease.generation + 1,
                            expires_at=now + self.ttl)
                    .returning(Lease.generation)
                    .execution_options(synchronize_session=False)
                ).scalar_one_or_none()
                if generation is not None:
                    won.append((name, generation))
        self.session.commit()
        until = self._write_until(started)
        for name, generation in won:
            self.held[name] = Held(name, generation, until)
        return [name for name, _ in won]

    def renew(self, now: datetime) -> list[str]:
        """Extend every held lease; the names lost (taken by another node meanwhile), which
        are forgotten. A database error leaves the write deadlines as they were."""
        if not self.held:
            return []
        started = self.monotonic()
        rows = self.session.execute(
            update(Lease).where(Lease.holder == self.node, Lease.name.in_(list(self.held)))
            .values(expires_at=now + self.ttl)
            .returning(Lease.name, Lease.generation)
            .execution_options(synchronize_session=False)
        ).all()
        self.session.commit()
        kept = {name for name, generation in rows
                if name in self.held and self.held[name].generation == generation}
        until = self._write_until(started)
        lost = [name for name in self.held if name not in kept]
        for name in lost:
            del self.held[name]
        for name in kept:
            self.held[name] = Held(name, self.held[name].generation, until)
        return lost

    def drop(self, name: str) -> Held | None:
        """Forget ``name`` here: its fence closes at once and it is no longer renewed. Give
        it back (:meth:`give_back`) once its output has stopped, or let it expire."""
        return self.held.pop(name, None)

    def give_back(self, held: Held) -> None:
        """Free a dropped lease for any node at once, unless it was taken meanwhile."""
        self.session.execute(
            update(Lease)
            .where(Lease.name == held.name, Lease.holder == self.node,
                   Lease.generation == held.generation)
            .values(holder="", expires_at=None)
            .execution_options(synchronize_session=False))
        self.session.commit()

    def finish(self, name: str) -> None:
        """Work done for good (a job): drop the lease and delete its row, so one row per job
        does not stay behind for ever."""
        held = self.drop(name)
        if held:
            self.session.execute(
                delete(Lease).where(Lease.name == held.name, Lease.holder == self.node,
                                    Lease.generation == held.generation)
                .execution_options(synchronize_session=False))
            self.session.commit()

    def release(self, names: Iterable[str]) -> None:
        """Drop and give back ``names`` (whose output has stopped)."""
        for name in list(names):
            held = self.drop(name)
            if held:
                self.give_back(held)

    # --- internals ----------------------------------------------------------------------

    def _write_until(self, started: float) -> float:
        # The lease was extended to (wall time read before ``started``) + ttl; measured
        # from ``started`` the deadline can only be earlier than the real one, never later.
        return started + (self.ttl - self.safety).total_seconds()

    def _dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def _ensure_rows(self, names: list[str]) -> None:
        existing = set(self.session.scalars(select(Lease.name).where(Lease.name.in_(names))))
        missing = [{"name": n, "holder": "", "generation": 0}
                   for n in names if n not in existing]
        if not missing:
            return
        dialect = postgresql if self._dialect() == "postgresql" else sqlite
        self.session.execute(dialect.insert(Lease).values(missing).on_conflict_do_nothing())
        self.session.commit()


def holds(session: Session, name: str, node: str, generation: int, now: datetime) -> bool:
    """Whether lease ``name`` is ``node``'s at ``generation`` and unexpired at ``now``, read in
    the caller's transaction (share-locked on PostgreSQL until it ends)."""
    query = select(Lease.name).where(Lease.name == name, Lease.holder == node,
                                     Lease.generation == generation, Lease.expires_at > now)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(read=True)
    return session.scalar(query) is not None

"""Leases (publisher.leases): claim, renew, expiry, fencing and fair share, on SQLite and on
PostgreSQL (a real server, tests/pg.py)."""

from __future__ import annotations

import shutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from publisher.leases import LEASE_TTL, SAFETY, LeaseBook, above_share, fair_share, holds

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
CHANNELS = [f"channel:c{n:02d}" for n in range(10)]


class Monotonic:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def lease_app(request, tmp_path: Path):  # noqa: ANN001, ANN201
    """An app on a migrated database of each kind, whatever VILLAGECAST_TEST_DB says."""
    if request.param == "postgresql":
        yield request.getfixturevalue("pg_app")
        return
    from publisher import create_app
    from publisher.extensions import db

    shutil.copyfile(request.getfixturevalue("migrated_template"), tmp_path / "leases.db")
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'leases.db'}"})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def sessions(lease_app):  # noqa: ANN001, ANN201
    """Open a session of its own for each node (as separate processes would have)."""
    from publisher.extensions import db

    opened: list[Session] = []
    with lease_app.app_context():
        def session() -> Session:
            opened.append(Session(db.engine))
            return opened[-1]

        yield session
        for s in opened:
            s.close()


def book(session: Session, node: str, mono: Monotonic | None = None) -> LeaseBook:
    return LeaseBook(session, node, "playout", monotonic=mono or Monotonic())


def test_fair_share_splits_the_channels_and_always_covers_them() -> None:
    assert fair_share(2, 1) == 2
    assert fair_share(2, 2) == 1
    assert fair_share(3, 2) == 2
    assert fair_share(100, 3) == 34
    assert fair_share(0, 2) == 0
    assert fair_share(5, 0) == 5  # no live node counted yet: this one takes everything
    for things in range(0, 30):
        for nodes in range(1, 6):
            assert fair_share(things, nodes) * nodes >= things
    # A node above its share gives up the last ones by name: every node agrees which.
    assert above_share(["channel:b", "channel:c", "channel:a"], 1) == ["channel:b", "channel:c"]
    assert above_share(["channel:a"], 1) == []


def test_a_held_lease_is_not_claimed_until_it_expires(sessions) -> None:  # noqa: ANN001
    a, b = book(sessions(), "node-a"), book(sessions(), "node-b")
    assert a.claim(CHANNELS[:2], 5, T0) == CHANNELS[:2]
    assert b.claim(CHANNELS[:2], 5, T0 + timedelta(seconds=1)) == []
    # Renewed, it stays a's past the first expiry.
    assert a.renew(T0 + timedelta(seconds=4)) == []
    assert b.claim(CHANNELS[:2], 5, T0 + LEASE_TTL + timedelta(seconds=1)) == []
    # a stops renewing (killed): once the TTL from its last renewal has passed, b takes over.
    late = T0 + timedelta(seconds=4) + LEASE_TTL + timedelta(milliseconds=10)
    assert b.claim(CHANNELS[:2], 5, late) == CHANNELS[:2]
    assert [b.token(n) for n in CHANNELS[:2]] == [2, 2]  # each claim a new generation
    # a comes back: its renewal finds the leases gone and it forgets them.
    assert sorted(a.renew(late)) == CHANNELS[:2]
    assert not a.may_write(CHANNELS[0])
    assert b.may_write(CHANNELS[0])


def test_claims_stop_at_the_number_wanted(sessions) -> None:  # noqa: ANN001
    a = book(sessions(), "node-a")
    assert a.claim(CHANNELS, 3, T0) == CHANNELS[:3]
    assert a.claim(CHANNELS, 0, T0) == []
    assert a.claim(CHANNELS, 2, T0) == CHANNELS[3:5]
    # In the order given (the most urgent work first), not by name.
    assert a.claim(CHANNELS[::-1], 2, T0) == [CHANNELS[9], CHANNELS[8]]


def test_fencing_token_is_checked_in_the_writers_transaction(sessions) -> None:  # noqa: ANN001
    sa, sb = sessions(), sessions()
    a, b = book(sa, "node-a"), book(sb, "node-b")
    name = CHANNELS[0]
    a.claim([name], 1, T0)
    first = a.token(name)
    assert holds(sa, name, "node-a", first, T0 + timedelta(seconds=1))
    sa.rollback()
    later = T0 + LEASE_TTL + timedelta(seconds=1)
    assert not holds(sa, name, "node-a", first, later)  # expired: a may not write any more
    sa.rollback()
    b.claim([name], 1, later)
    # a's old token no longer matches even at a time its lease would have looked valid.
    assert not holds(sa, name, "node-a", first, T0 + timedelta(seconds=1))
    sa.rollback()
    assert holds(sb, name, "node-b", b.token(name), later)
    sb.rollback()


def test_writes_stop_before_the_lease_can_be_taken(sessions) -> None:  # noqa: ANN001
    mono = Monotonic()
    a = book(sessions(), "node-a", mono)
    a.claim([CHANNELS[0]], 1, T0)
    write = a.fence(CHANNELS[0])
    assert write()
    mono.now += (LEASE_TTL - SAFETY).total_seconds() - 0.01
    assert write()
    mono.now += 0.02  # no renewal came through: stop, SAFETY before another node may claim
    assert not write()
    assert a.renew(T0 + timedelta(seconds=4)) == []  # the database answers again: go on
    assert write()


def test_a_restarted_node_takes_its_own_leases_back_at_once(sessions) -> None:  # noqa: ANN001
    first = book(sessions(), "node-a")
    first.claim(CHANNELS[:2], 2, T0)
    again = book(sessions(), "node-a")  # same node id, new process, leases not expired
    assert again.claim(CHANNELS[:2], 2, T0 + timedelta(seconds=1)) == CHANNELS[:2]
    # The old process (if it were still alive somewhere) is fenced off by the generation.
    assert sorted(first.renew(T0 + timedelta(seconds=2))) == CHANNELS[:2]


def test_release_and_leave_hand_the_work_over_at_once(sessions, lease_app) -> None:  # noqa: ANN001
    from publisher.models import LeaseNode

    sa = sessions()
    a, b = book(sa, "node-a"), book(sessions(), "node-b")
    assert a.heartbeat(T0) == 1
    assert b.heartbeat(T0) == 2
    a.claim(CHANNELS[:3], 3, T0)
    a.release([CHANNELS[2]])
    assert b.claim(CHANNELS[:3], 3, T0) == [CHANNELS[2]]
    a.leave()
    assert a.held == {}
    assert b.claim(CHANNELS[:3], 3, T0) == CHANNELS[:2]
    assert sa.scalar(select(func.count()).select_from(LeaseNode)) == 1


def test_a_silent_node_stops_counting_after_the_ttl(sessions) -> None:  # noqa: ANN001
    a, b = book(sessions(), "node-a"), book(sessions(), "node-b")
    a.heartbeat(T0)
    assert b.heartbeat(T0 + timedelta(seconds=2)) == 2
    assert b.heartbeat(T0 + LEASE_TTL + timedelta(seconds=1)) == 1


def test_nodes_claiming_at_once_never_share_a_lease(sessions) -> None:  # noqa: ANN001
    """Four nodes, in threads with their own connections, claim the same ten channels at
    the same moment: every channel goes to exactly one of them (SKIP LOCKED on PostgreSQL,
    conditional updates on SQLite)."""
    books = [book(sessions(), f"node-{n}") for n in range(4)]
    books[0].claim(CHANNELS, len(CHANNELS), T0)  # the rows exist before the race
    books[0].release(CHANNELS)
    start = threading.Barrier(len(books))
    won: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def claim(b: LeaseBook) -> None:
        try:
            start.wait(timeout=10)
            won[b.node] = b.claim(CHANNELS, 3, T0)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=claim, args=(b,)) for b in books]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    taken = [name for names in won.values() for name in names]
    assert len(taken) == len(set(taken))  # no channel twice
    assert sorted(taken) == CHANNELS  # 4 x 3 >= 10: everything taken
    assert all(len(names) <= 3 for names in won.values())


@pytest.mark.parametrize("node", ["", "x" * 65])
def test_a_node_id_the_lease_table_cannot_hold_is_refused(node: str) -> None:
    with pytest.raises(ValueError, match="1 to 64 characters"):
        LeaseBook(None, node, "playout")  # type: ignore[arg-type] - refused before any use

"""A burst on a real threaded server and a real SQLite file: 1,000 device presses at once
while 20 editors save content. SQLite queues writers (WAL, busy timeout) instead of
answering "database is locked" with a 500."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.e2e.stream import serve_app

PRESSES = 1000
EDITORS = 20
EDITS_EACH = 3
REQUEST_TIMEOUT_S = 120  # bounded: a stuck request fails the test instead of hanging it


@pytest.fixture
def live_server(app) -> Iterator[str]:  # noqa: ANN001
    with serve_app(app, backlog=2048) as url:  # a thousand devices connect at once
        yield url


def _post(url: str, body: dict, headers: dict[str, str], method: str = "POST") -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_S) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_thousand_presses_and_twenty_editors_without_a_server_error(app, world, live_server):
    from publisher.extensions import db
    from publisher.models import ContentItem, Incident, User

    with app.app_context():
        tokens = []
        for i in range(EDITORS):
            user = User(username=f"editor{i}", display_name=f"编辑{i}", role="editor",
                        township_id=world.township)
            user.set_password("secret-pass")
            db.session.add(user)
            db.session.flush()
            tokens.append(user.issue_api_token())
        db.session.commit()

    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(PRESSES + EDITORS)

    def press(i: int) -> None:
        start.wait()
        status = _post(f"{live_server}/emergency/trigger/{world.token}", {},
                       {"Idempotency-Key": f"burst-{i}"})
        with lock:
            statuses[status] += 1

    def edit(token: str, i: int) -> None:
        auth = {"Authorization": f"Bearer {token}"}
        start.wait()
        for n in range(EDITS_EACH):
            status = _post(f"{live_server}/api/v1/notices",
                           {"title": f"停水通知 {i}-{n}", "body": "明日 8 点至 12 点停水。"}, auth)
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=press, args=(i,)) for i in range(PRESSES)]
    threads += [threading.Thread(target=edit, args=(t, i)) for i, t in enumerate(tokens)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(REQUEST_TIMEOUT_S * EDITS_EACH)
    assert not any(t.is_alive() for t in threads)

    assert sum(statuses.values()) == PRESSES + EDITORS * EDITS_EACH
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[201] == 1 + EDITORS * EDITS_EACH  # one new incident, every notice saved
    assert statuses[200] == PRESSES - 1  # every other press joined the open incident
    with app.app_context():
        assert db.session.query(Incident).count() == 1
        assert db.session.query(ContentItem).filter_by(kind="notice").count() == (
            EDITORS * EDITS_EACH)

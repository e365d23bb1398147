"""Many editors saving at once, each in its own thread with its own session, against the
real database (SQLite, or PostgreSQL when VILLAGECAST_TEST_DB=postgresql): no 5xx, no
save lost without the editor being told."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from sqlalchemy import func, select

from tests.publisher import test_content_support as support
from tests.publisher.test_content_support import PASSWORD, form_of

login, make_item, office = support.login, support.make_item, support.office

EDITORS = 8


def _editors(app, office, n: int = EDITORS) -> list[str]:  # noqa: ANN001
    from werkzeug.security import generate_password_hash

    from publisher.extensions import db
    from publisher.models import User

    hashed = generate_password_hash(PASSWORD, method=support.FAST_HASH)
    names = [f"editor_{i}" for i in range(n)]
    with app.app_context():
        db.session.add_all(User(username=name, display_name=f"编辑{i}", role="editor",
                                township_id=office.a, password_hash=hashed)
                           for i, name in enumerate(names))
        db.session.commit()
    return names


def _all_at_once(jobs: list[Callable[[], object]]) -> list[object]:
    """Run every job in its own thread, released together; exceptions are results."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - asserted by the caller
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _count(app, model, *where) -> int:  # noqa: ANN001
    from publisher.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_editors_creating_at_once_all_get_their_item(app, login, office) -> None:  # noqa: ANN001
    from publisher.models import AuditEvent, ContentItem

    clients = [login(name) for name in _editors(app, office)]
    jobs = [lambda c=c, i=i: c.post("/content/notice/new", form_of(
        "notice", title=f"第{i}号通知", save="1")) for i, c in enumerate(clients)]
    responses = _all_at_once(jobs)
    assert [getattr(r, "status_code", r) for r in responses] == [302] * EDITORS
    assert _count(app, ContentItem) == EDITORS
    assert _count(app, AuditEvent, AuditEvent.action == "create") == EDITORS


def _edit_all_at_once(app, login, office, item_id: int) -> tuple[list, list[str]]:  # noqa: ANN001
    clients = [login(name) for name in _editors(app, office)]
    forms = [c.text(f"/content/policy/{item_id}/edit") for c in clients]  # all see one base
    amounts = [f"每亩 {100 + i} 元" for i in range(EDITORS)]

    def save(client, form: str, amount: str):  # noqa: ANN001, ANN202
        hidden = dict(re.findall(r'<input[^>]*name="(base)"[^>]*value="([^"]*)"', form))
        return client.post(f"/content/policy/{item_id}/edit",
                           {**form_of("policy", amount=amount, save="1"), **hidden})

    responses = _all_at_once([lambda c=c, f=f, a=a: save(c, f, a)
                              for c, f, a in zip(clients, forms, amounts, strict=True)])
    return responses, amounts


def _outcomes(responses: list) -> tuple[list[int], list[int]]:
    codes = [getattr(r, "status_code", repr(r)) for r in responses]
    assert all(code in (302, 409) for code in codes), codes  # no 5xx, no exception
    saved = [i for i, code in enumerate(codes) if code == 302]
    refused = [i for i, code in enumerate(codes) if code == 409]
    for i in refused:
        assert "已被他人修改" in responses[i].get_data(as_text=True)
    return saved, refused


def test_editors_saving_one_approved_item_at_once_make_one_new_version(
        app, login, office, make_item) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import ContentItem

    item_id = make_item("policy", state="approved")
    responses, amounts = _edit_all_at_once(app, login, office, item_id)
    saved, refused = _outcomes(responses)
    # Everyone edited v1: the first save makes v2, the others learn that v1 is not the
    # latest any more instead of overwriting v2 without seeing it.
    assert len(saved) == 1 and len(refused) == EDITORS - 1
    with app.app_context():
        item = db.session.get(ContentItem, item_id)
        assert [v.number for v in item.versions] == [1, 2]
        assert item.latest.data["amount"] == amounts[saved[0]]
        assert item.versions[0].state == "approved"  # still on air


def test_editors_saving_one_draft_at_once_lose_nothing_silently(
        app, login, office, make_item) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import AuditEvent, ContentItem

    item_id = make_item("policy")
    responses, amounts = _edit_all_at_once(app, login, office, item_id)
    saved, _refused = _outcomes(responses)
    assert len(saved) == 1
    with app.app_context():
        item = db.session.get(ContentItem, item_id)
        assert [v.number for v in item.versions] == [1]
        assert item.latest.data["amount"] == amounts[saved[0]]
    assert _count(app, AuditEvent, AuditEvent.action == "edit") == 1


def test_api_clients_saving_with_if_match_do_not_overwrite_each_other(app, office,
                                                                     make_item) -> None:  # noqa: ANN001
    from tests.publisher.test_api import issue_tokens

    item_id = make_item("policy")
    tokens, client = issue_tokens(app), app.test_client()

    def api(method: str, user: str, body: dict | None = None, etag: str | None = None):  # noqa: ANN202
        headers = {"Authorization": f"Bearer {tokens[user]}"}
        if etag:
            headers["If-Match"] = etag
        return client.open(f"/api/v1/policies/{item_id}", method=method, json=body,
                           headers=headers)

    read = api("GET", "editor")
    etag, body = read.headers["ETag"], read.get_json()
    first = api("PUT", "editor", {**body, "amount": "每亩 110 元"}, etag)
    assert first.status_code == 200 and first.headers["ETag"] != etag
    stale = api("PUT", "editor2", {**body, "amount": "每亩 120 元"}, etag)
    assert stale.status_code == 412
    assert stale.get_json()["error"]["code"] == "precondition_failed"
    assert "已被他人修改" in stale.get_json()["error"]["message"]
    assert api("GET", "editor").get_json()["amount"] == "每亩 110 元"
    fresh = api("PUT", "editor2", {**body, "amount": "每亩 120 元"}, first.headers["ETag"])
    assert fresh.status_code == 200 and fresh.get_json()["amount"] == "每亩 120 元"


def test_reviewers_approving_and_rejecting_at_once_decide_once(app, login, office,
                                                              make_item) -> None:  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import AuditEvent, ContentItem

    item_id = make_item("policy", state="pending")
    reviewers = [login("reviewer"), login("reviewer2"), login("admin")]
    jobs = [lambda c=reviewers[0]: c.post(f"/review/{item_id}/approve", {"note": "同意"}),
            lambda c=reviewers[1]: c.post(f"/review/{item_id}/approve", {"note": "同意"}),
            lambda c=reviewers[2]: c.post(f"/review/{item_id}/reject", {"reason": "金额写错了"})]
    responses = _all_at_once(jobs)
    assert [getattr(r, "status_code", r) for r in responses] == [303] * 3  # no 5xx
    decided = AuditEvent.action.in_(("approve", "reject"))
    assert _count(app, AuditEvent, decided, AuditEvent.target_id == str(item_id)) == 1
    with app.app_context():
        item = db.session.get(ContentItem, item_id)
        assert [v.state for v in item.versions] in (["approved"], ["rejected"])

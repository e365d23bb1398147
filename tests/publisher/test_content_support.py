"""Fixtures and helpers shared by the content, review and audit tests (no tests here).

Other modules import the fixtures from here; pytest then registers them there too.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

POLICY = {
    "title": "耕地地力保护补贴",
    "category": "种粮补贴",
    "eligibility": "拥有耕地承包权的种地农民",
    "amount": "每亩 105.6 元",
    "how_to_apply": "村组统计面积，公示 7 天后打卡发放",
    "deadline": "2030-06-30",
    "source_document": "乾农发〔2025〕12号",
    "contact": "0917-6281123",
    "body": "补贴面积以二轮承包面积为基础。",
}
SERVICE = {
    "title": "农村低保申请",
    "steps": ["户主提出书面申请", "村民代表评议并公示", "乡政府入户调查"],
    "documents": ["申请书", "户口簿"],
    "location": "乡民政办",
    "office_hours": "工作日 8:30-17:30",
    "time_limit": "30 个工作日",
    "fee": "免费",
    "contact": "0917-6281127",
}
PRODUCE = {
    "product": "高山土豆",
    "village": "张家村",
    "seller": "王德福",
    "price": "1.2",
    "unit": "斤",
    "quantity": "约 20000 斤",
    "photo": None,
    "phone": "13891701234",
    "available_until": "2030-01-31",
    "description": "沙土地种植，个大皮薄。",
}
NOTICE = {
    "title": "关于做好汛期安全防范工作的通知",
    "body": "请各村加强巡查。",
    "category": "通知公告",
    "issued_by": "监山乡人民政府",
    "date": "2030-06-01",
}
SAMPLES = {"policy": POLICY, "service": SERVICE, "produce": PRODUCE, "notice": NOTICE}


def form_of(kind: str, data: dict[str, Any] | None = None, **extra: str) -> dict[str, str]:
    """The form fields an editor would type for ``data`` (lists one per line)."""
    fields = {}
    for key, value in (data or SAMPLES[kind]).items():
        if key == "photo":
            continue
        fields[key] = "\n".join(value) if isinstance(value, list) else (value or "")
    fields.update(extra)
    return fields


class Staff:
    """A logged-in test client that adds the CSRF token to every post."""

    def __init__(self, client, csrf: str) -> None:  # noqa: ANN001
        self.client = client
        self.csrf = csrf

    def get(self, url: str, **kw: Any):  # noqa: ANN201
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, **kw: Any):  # noqa: ANN201
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kw)

    def text(self, url: str) -> str:
        response = self.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data(as_text=True)


# Users of these tests get a cheap password hash: the default (scrypt) costs 0.1 s per
# user and per login, which would be most of the suite's runtime.
FAST_HASH = "pbkdf2:sha256:1000"
PASSWORD = "secret-pass"
STAFF = (  # username, role, which township ("a", "b" or None for the county)
    ("editor", "editor", "a"), ("editor2", "editor", "a"), ("reviewer", "reviewer", "a"),
    ("reviewer2", "reviewer", "a"), ("admin", "admin", "a"), ("cadre", "cadre", "a"),
    ("admin_b", "admin", "b"), ("editor_b", "editor", "b"), ("county", "admin", None),
)


@pytest.fixture
def office(app, township):  # noqa: ANN001, ANN201
    """Township A (监山乡) with its staff, township B with an admin, and a county admin."""
    from werkzeug.security import generate_password_hash

    from publisher.extensions import db
    from publisher.models import Channel, Township, User

    with app.app_context():
        other = Township(name="石门镇", county="乾元县")
        db.session.add(other)
        db.session.flush()
        db.session.add(Channel(township_id=other.id, slug="shimen", name="石门镇频道"))
        ids = {"a": township, "b": other.id}
        hashed = generate_password_hash(PASSWORD, method=FAST_HASH)
        users = {}
        for username, role, where in STAFF:
            users[username] = User(username=username, display_name=username, role=role,
                                   township_id=ids.get(where), password_hash=hashed)
        db.session.add_all(users.values())
        db.session.commit()
        return SimpleNamespace(a=township, b=other.id,
                               **{name: user.id for name, user in users.items()})


@pytest.fixture
def login(app, office):  # noqa: ANN001, ANN201
    """``login("editor")`` → a Staff client logged in as that user."""

    def log_in(username: str, password: str = PASSWORD) -> Staff:
        client = app.test_client()
        html = client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        response = client.post("/login", data={"username": username, "password": password,
                                               "csrf_token": csrf})
        assert response.status_code == 302, f"login as {username} failed"
        return Staff(client, csrf)

    return log_in


@pytest.fixture
def make_item(app, office):  # noqa: ANN001, ANN201
    """Create an item through the services: ``make_item("policy", state="pending")``."""
    from publisher.extensions import db
    from publisher.models import Township, User
    from publisher.services import content

    def make(kind: str = "policy", data: dict | None = None, *, state: str = "draft",
             township_id: int | None = None, author: int | None = None, **window: Any) -> int:
        with app.app_context():
            tid = township_id or office.a
            editor_id = author or (office.editor if tid == office.a else office.editor_b)
            editor = db.session.get(User, editor_id)
            township = db.session.get(Township, tid)
            item = content.create_item(editor, township, kind, dict(data or SAMPLES[kind]),
                                       **window)
            if state in ("pending", "approved", "rejected", "live"):
                content.submit(editor, item)
            reviewer = db.session.get(User, office.reviewer if tid == office.a else office.admin_b)
            if state in ("approved", "live"):
                content.approve(reviewer, item)
            if state == "rejected":
                content.reject(reviewer, item, "金额写错了")
            if state == "live":
                mark_live(item.id)
            return item.id

    return make


def mark_live(item_id: int) -> None:
    """What the clock's render job does once a version is rendered: put it on air."""
    from publisher.extensions import db
    from publisher.jobs.pipeline import promote
    from publisher.models import ContentItem, RenderState

    item = db.session.get(ContentItem, item_id)
    version = item.latest
    version.render_state = RenderState.READY
    promote(version)
    db.session.commit()


def counts(app) -> tuple[int, int, int]:  # noqa: ANN001
    """(items, versions, audit events other than logins and refusals): to prove nothing
    changed (a refused request is itself audited, issue 11)."""
    from sqlalchemy import func, select

    from publisher.extensions import db
    from publisher.models import AuditEvent, ContentItem, ContentVersion

    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(ContentItem)),
            db.session.scalar(select(func.count()).select_from(ContentVersion)),
            db.session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action.not_in(("login", "refused")))),
        )


def item_state(app, item_id: int) -> tuple[Any, ...]:  # noqa: ANN001
    """(latest number, latest state, live number, withdrawn?) of an item."""
    from publisher.extensions import db
    from publisher.models import ContentItem

    with app.app_context():
        item = db.session.get(ContentItem, item_id)
        live = item.live_version.number if item.live_version else None
        return item.latest.number, item.latest.state, live, item.withdrawn_at is not None

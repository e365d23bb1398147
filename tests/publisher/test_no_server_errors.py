"""No route answers 5xx, whoever asks and whatever they send.

Walks every rule of ``app.url_map`` (every method but HEAD and OPTIONS). URL parameters
get ids of the demo township (``publisher.seed.seed_demo``, plus one of each emergency
object, a pending item and a preview job) and junk (0, 999999, 2**64; for strings -1,
long and odd text). Every URL is sent by each seeded role (admin, editor, reviewer,
cadre1), by a county administrator (no township: the pages where one picks a township)
and anonymously: as a GET with and without junk query strings, and, for the write
methods, with garbage bodies (empty, 100k-character fields, wrong types, NUL and invalid
UTF-8, non-image uploads, spreadsheets of wrong values, broken JSON, JSON arrays, nested
nulls). Then every form, filled in as its page shows it, is posted with one field at a
time set to a bad value, so the value gets past the form's own checks. No answer may be
5xx, nothing under /api/ may answer anything but JSON, and a write refused with a 4xx must
leave the main tables as they were.

CSRF stays on, as in production: each client fetches its token once from a page, like a
browser, and sends it with every write (form field and ``X-CSRFToken`` header). Turning
it off would change the forms under test (Flask-WTF drops their CSRF field and check);
sending no token would stop every post at the CSRF check before it reaches a view.
API writes carry each user's token (``Authorization: Bearer``).

Speed (some 17,000 requests): the database is migrated and seeded once; every test starts
from a copy of that file, as tests may write (a drill, a withdrawn alert, a reset
password). Clients start from session cookies saved at log-in (the demo passwords are
hashed with scrypt, 0.1 s a log-in). Row counts are re-read only when SQLite says another
connection committed (``PRAGMA data_version``).
"""
from __future__ import annotations

import csv
import functools
import io
import logging
import re
import shutil
import sqlite3
import tempfile
import traceback
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
from werkzeug.datastructures import MultiDict
from werkzeug.routing import AnyConverter, IntegerConverter
from werkzeug.security import generate_password_hash

from tests.conftest import AuthActions
from tests.publisher.test_people_support import PASSWORD, add_user, csrf

ROLES = {"admin": "admin", "editor": "editor", "reviewer": "reviewer", "cadre": "cadre1",
         "county": "county", "anonymous": None}
# These two reach the most views: they send more bodies of wrong values (to the JSON
# endpoints every value in every field, to the pages four forms); the others two of each.
THOROUGH = ("admin", "county")
JSON_ENDPOINTS = ("api.", "emergency.trigger")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
# Rules left out: those that start long work or stream. None do: rendering and encoding
# are jobs, and /live/ answers a finished playlist or segment file.
SKIP: frozenset[str] = frozenset()
# Readiness answers 503 when the deployment is not ready (no playout in these tests): that is
# its verdict, in JSON, not a server error.
READINESS = "/healthz"
# A 4xx to a write must not change these (the audit log is left out: log-ins are audited).
COUNTED = ("content_item", "content_version", "cadre", "whereabouts", "household", "user",
           "village", "channel", "township", "responder", "escalation_policy", "device",
           "incident", "cap_source", "job")

HUGE = "长x" * 50_000  # 100,000 characters
BIG_INT = str(2**64)  # beyond SQLite's 64-bit integers
JUNK_INTS = ("0", "999999", BIG_INT)  # the int converter takes no sign
JUNK_STRINGS = ("-1", "x" * 2000, "监山乡%00", "..%2F..%2Fetc")
# Query parameters pages read: filters, paging, the township picker, dates, diffs.
JUNK_QUERY = {name: BIG_INT for name in ("township_id", "township", "item", "v", "page")} | {
    "limit": "abc", "offset": BIG_INT, "date": "2026-02-30", "day": "99999-01-01", "from": "x",
    "to": "0000-00-00", "state": "\x00", "c": "x" * 300, "q": "%" * 50, "against": "-1",
    "action": "x" * 300, "type": "[]", "user": "-1", "inactive": "1", "all": "1", "full": "1",
    "next": "//evil.example"}
# ... and all of them "²" (a digit to str.isdigit(), not to int()), or the first or last
# day of the calendar (valid dates whose time-zone arithmetic overflows).
JUNK_QUERIES = tuple("?" + "&".join(f"{k}={quote_from_bytes(v.encode())}" for k, v in q.items())
                     for q in (JUNK_QUERY, *(dict.fromkeys(JUNK_QUERY, value)
                                             for value in ("²", "0001-01-01", "9999-12-31"))))
WRONG = ("abc", "-1", "1e999", BIG_INT, "2026-02-30", "25:61", "nan", "[]", "true", "\x00",
         " ", "0x1F", "1,5", "²", "１０", "张三 本人 ² 1101")
JSON_WRONG = (123, -1, 1.5e308, True, [], {}, "x" * 1000, 2**70, "2026-02-30", [None])
# Fields a view may read although no page renders them as inputs.
EXTRA_FIELDS = ("token", "township_id", "user_id", "cadre_id", "village_id", "village_ids",
                "status", "active", "manual", "reset", "remove_photo", "remove_logo", "data",
                "idempotency_key", "test", "title", "product", "note", "reason", "kind",
                "priority", "valid_from", "valid_until", "day", "start_time", "end_time")
FILE_FIELDS = ("file", "photo", "logo")
# One at a time in a form otherwise as its page fills it in, by the kind of field.
BAD = {
    "text": ("", "x" * 5000, "\x00", "²", BIG_INT),
    "number": ("", "-1", BIG_INT, "1e999", "²"),
    "date": ("0001-01-01", "9999-12-31", "0001-01-01T00:00", "9999-12-31T23:59", "25:61"),
    "choice": ("", "-1", BIG_INT, "²", "x"),
    "button": (),
}
# Junk URLs fail on the id: one or two bodies are enough there.
JUNK_URL_BODIES = ("wrong types #0", "JSON wrong types #0")


# --- the shared database -----------------------------------------------------------------


def _content_objects(township_id: int) -> dict[str, Any]:
    """An approved item of every kind (from the seed) and a pending one for review."""
    from publisher.extensions import db
    from publisher.models import ContentItem, Township, User
    from publisher.services import content

    items = {kind: db.session.scalars(db.select(ContentItem.id).filter_by(
        township_id=township_id, kind=kind).order_by(ContentItem.id)).first()
        for kind in ("policy", "service", "produce", "notice")}
    editor = db.session.scalars(db.select(User).filter_by(username="editor")).one()
    pending = content.create_item(editor, db.session.get(Township, township_id), "notice", {
        "title": "待审通知", "body": "请审核。", "category": "通知公告",
        "issued_by": "监山乡人民政府", "date": "2030-06-01"})
    content.submit(editor, pending)
    db.session.commit()
    return {"items": items, "pending_id": pending.id}


def _emergency_objects(township_id: int, admin_id: int) -> dict[str, Any]:
    """A household with a device, responders, a policy, an open incident whose alert was
    sent (so an acknowledgement link exists), a device task, a public alert, a CAP source."""
    from publisher.emergency import alerts, notify, registry, responders
    from publisher.emergency import incidents as incident_service
    from publisher.extensions import db
    from publisher.models import Cadre, Township, User, Village, utcnow
    from publisher.models.emergency import CapSource, DeviceTask, NotificationAttempt

    now = utcnow()
    admin = db.session.get(User, admin_id)
    village = db.session.scalars(db.select(Village).filter_by(township_id=township_id)).first()
    cadre = db.session.scalars(db.select(Cadre).filter_by(township_id=township_id)).first()
    relative = responders.save_responder(admin, township_id, responders.ResponderData(
        "李四", "relative", "13800000002"))
    responders.save_responder(admin, township_id, responders.ResponderData(
        "张干部", "cadre", cadre_id=cadre.id))
    call_plan = responders.save_call_plan(admin, township_id, "空巢老人预案", [
        responders.StepData(relative.id, ("sms",), 300)], final_phone="09171234567",
        is_default=True)
    household = registry.save_household(admin, township_id, registry.HouseholdData(
        village_id=village.id, kind="空巢老人", name="王大爷", address="监山村3组",
        medical_notes="高血压", call_plan_id=call_plan.id, phones=[("本人", "13900000009")],
        members=[registry.MemberData("王大爷", "本人", 1948)]))
    device, device_token = registry.add_device(admin, household, "床头呼救器", 24, now)
    incident = incident_service.trigger(household, source="device", now=now, device=device,
                                        idempotency_key="seed-1").incident_id
    digest = "ab" * 32
    task = DeviceTask(township_id=township_id, device_id=device.id, cadre_id=cadre.id,
                      due_at=now - timedelta(days=1))
    db.session.add_all([
        NotificationAttempt(incident_id=incident, seq=0, channel="sms", address_digest=digest,
                            address_masked="138****0002", status="sent", responder_name="李四"),
        task, source := CapSource(township_id=township_id, url="http://127.0.0.1:9/cap.xml")])
    db.session.commit()
    alert = alerts.issue_alert(admin, db.session.get(Township, township_id), title="暴雨预警",
                               body="请注意防范", severity="橙色", issued_by="县气象台",
                               expires=now + timedelta(hours=2), now=now)
    return {"household_id": household.id, "responder_id": relative.id,
            "call_plan_id": call_plan.id, "incident_id": incident, "task_id": task.id,
            "alert_id": alert.id, "trigger_token": device_token, "source_id": source.id,
            "ack_token": notify.ack_token(incident, digest)}


def _preview_job(township_id: int, page_key: str) -> int:
    from publisher.admin.content_actions import PREVIEW_JOB
    from publisher.extensions import db
    from publisher.models import Job, JobState

    job = Job(kind=PREVIEW_JOB, payload={"item": {}, "township_id": township_id},
              state=JobState.DONE, result={"pages": [{"key": page_key, "duration_s": 8}]})
    db.session.add(job)
    db.session.commit()
    return job.id


def _files(config: dict[str, Any]) -> dict[str, str]:
    """A playlist and a segment to serve, and a rendered page in the cache."""
    hls = Path(config["HLS_DIR"]) / "jianshan"
    hls.mkdir(parents=True, exist_ok=True)
    (hls / "index.m3u8").write_text("#EXTM3U\n#EXT-X-TARGETDURATION:2\n")
    (hls / "seg_000001.ts").write_bytes(b"\x47" * 188)
    key = "0123456789abcdef"
    page = Path(config["CACHE_DIR"]) / "pages" / key[:2] / f"{key}.png"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_bytes(b"\x89PNG\r\n\x1a\n")
    return {"playlist": "index.m3u8", "segment": "seg_000001.ts", "page_key": key}


class _LoggedErrors(logging.Handler):
    """Keeps the last exception the app logged (the API answers its own 500s, logging)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.last: BaseException | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.last = record.exc_info[1]


def _ledger_request(township, editor) -> int:  # noqa: ANN001
    """One resident's request (群众诉求), with a name and a number to keep off the pages."""
    from publisher.extensions import db
    from publisher.models import utcnow
    from publisher.requests import intake

    row = intake.intake(township, {"category": "基础设施", "village": township.villages[0].name,
                                   "resident_name": "王五", "resident_phone": "13911112222",
                                   "text": "村口路灯坏了"}, source="admin", now=utcnow(),
                        user=editor)
    db.session.commit()
    return row.id


@pytest.fixture(scope="module")
def site(tmp_path_factory):  # noqa: ANN001, ANN201
    """The app, its seeded database (``template``, copied to ``work`` for each test), the
    ids to put in URLs, every role's session and API token, and every page's form fields."""
    from flask_migrate import upgrade

    from publisher import create_app
    from publisher.extensions import db
    from publisher.models import Cadre, Channel, RosterRelease, Township, User, Village
    from publisher.seed import DEMO_PASSWORD, seed_demo

    base = tmp_path_factory.mktemp("no_server_errors")
    work, template = base / "work.db", base / "template.db"
    app = create_app({"TESTING": True, "DATA_DIR": base / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work}"})
    with app.app_context():
        upgrade()
        list(seed_demo())
        add_user("county", "admin", None)
        township = db.session.scalars(db.select(Township).filter_by(name="监山乡")).one()
        users = {u.username: u for u in db.session.scalars(db.select(User))}
        tokens = {role: users[name].issue_api_token() if name else None
                  for role, name in ROLES.items()}
        db.session.commit()
        ids = {
            "township_id": township.id, "user_id": users["editor"].id,
            "cadre_id": db.session.scalars(db.select(Cadre.id).filter_by(
                user_id=users["cadre1"].id)).one(),
            "village_id": db.session.scalars(db.select(Village.id).filter_by(
                township_id=township.id)).first(),
            "channel_id": db.session.scalars(db.select(Channel.id)).first(),
            "release_id": db.session.scalars(db.select(RosterRelease.id)).first(),
            **_content_objects(township.id),
            **_emergency_objects(township.id, users["admin"].id),
            **_files(app.config),
        }
        ids["job_id"] = _preview_job(township.id, ids["page_key"])
        ids["request_id"] = _ledger_request(township, users["editor"])
        db.session.remove()
        db.engine.dispose()
    shutil.copy(work, template)
    sessions = {}
    for role, username in ROLES.items():
        client = app.test_client()
        if username is None:
            token = AuthActions(client).csrf_token("/login")
        else:
            password = PASSWORD if username == "county" else DEMO_PASSWORD
            response = AuthActions(client).login(username, password)
            assert response.status_code == 302, f"could not log in as {username}"
            token = csrf(client)
        sessions[role] = (client.get_cookie("session").value, token)
    errors = _LoggedErrors()
    app.logger.addHandler(errors)
    site = SimpleNamespace(app=app, errors=errors, work=work, template=template, ids=ids,
                           sessions=sessions, tokens=tokens)
    _harvest(site)
    # Where no page shows the form (API, POST-only routes): every field of every page.
    site.all_fields = sorted({name for names in site.fields.values() for name in names})
    site.import_headers = _import_headers(site)
    with pytest.MonkeyPatch.context() as patch:
        # Each garbage post to "reset password" sets one, hashed with scrypt (0.08 s).
        patch.setattr("publisher.models.users.generate_password_hash",
                      lambda password: generate_password_hash(password, "pbkdf2:sha256:1000"))
        yield site


def _import_headers(site: SimpleNamespace) -> dict[str, list[str]]:
    """The column headers of each import's template, by import name."""
    client = _client(site, "admin")
    headers = {}
    for name in ("cadres", "roster", "produce"):
        text = client.get(f"/imports/{name}/template.csv").get_data().decode("utf-8-sig")
        headers[name] = next(csv.reader(io.StringIO(text)))
    return headers


def _garbage_sheets(headers: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """Uploads in the import's own columns, each row full of wrong values: as CSV, and as
    .xlsx with typed cells (numbers, dates, booleans, formulas)."""
    from openpyxl import Workbook

    wrong = [value for value in WRONG if value != "\x00"]  # a NUL makes the file unreadable
    rows = [[wrong[(i + shift) % len(wrong)] for i in range(len(headers))]
            for shift in range(len(wrong))]
    text = io.StringIO()
    csv.writer(text).writerows([headers, *rows])
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    typed = (1e308, -1, True, datetime(1900, 1, 1), date(9999, 12, 31), time(23, 59),
             "=1/0", None, 13812345678.0, 2**62, "x" * 5000, "张三 本人 ² 1101", 0.5)
    for shift in range(len(typed)):
        sheet.append([typed[(i + shift) % len(typed)] for i in range(len(headers))])
    xlsx = io.BytesIO()
    book.save(xlsx)
    return [
        ("CSV rows of wrong values", {"content_type": "multipart/form-data", "data": {
            "file": (io.BytesIO(text.getvalue().encode()), "x.csv")}}),
        (".xlsx rows of wrong values", {"content_type": "multipart/form-data", "data": {
            "file": (io.BytesIO(xlsx.getvalue()), "x.xlsx")}}),
    ]


_INPUT_KINDS = {"number": "number", "range": "number", "date": "date", "time": "date",
                "datetime-local": "date", "month": "date", "hidden": "choice"}


class _Forms(HTMLParser):
    """The POST forms of a page as a browser would submit them untouched: (action, fields),
    a field being (name, value, kind) with the value the page fills in (checked boxes,
    selected options, the first button) and the kind of value it takes (see ``BAD``)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page, self.forms = page, []
        self._fields: list[tuple[str, str, str]] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._clicked = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        kind = a.get("type", "submit" if tag == "button" else "text")
        if tag == "form":
            post = a.get("method", "").lower() == "post"
            self._fields, self._clicked = ([] if post else None), False
            if post:
                self.forms.append((a.get("action") or self.page, self._fields))
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif self._fields is None or "name" not in a:
            return
        elif tag == "input" and kind in ("checkbox", "radio"):
            if "checked" in a:
                self._fields.append((a["name"], a.get("value", "on"), "choice"))
        elif kind in ("submit", "image"):
            if tag in ("input", "button") and not self._clicked:
                self._fields.append((a["name"], a.get("value", ""), "button"))
                self._clicked = True
        elif tag == "input" and kind != "file":
            self._fields.append((a["name"], a.get("value", ""), _INPUT_KINDS.get(kind, "text")))
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "textarea":
            self._textarea = a["name"]
            self._fields.append((a["name"], "", "text"))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self._fields:
            name, value, kind = self._fields[-1]
            self._fields[-1] = (name, value + data, kind)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _ in self._options[:1]]
            if self._fields is not None:
                self._fields += [(self._select, v, "choice") for v in chosen]
            self._select = None


def _harvest(site: SimpleNamespace) -> None:
    """Every page as admin, county administrator and cadre: ``site.fields``, the names of
    the form fields on each page (by URL), and ``site.forms``, each distinct form with the
    values the page fills in, by the first role and page rule that showed it."""
    site.fields, site.forms = {}, {}
    seen = set()
    for role in ("admin", "county", "cadre"):
        client = _client(site, role)
        for rule in site.app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.rule.startswith(("/api", "/static")):
                continue
            for values in _valid_values(rule, site.ids):
                url = _url(rule, values)
                response = client.get(url)
                if response.mimetype != "text/html":
                    continue
                html = response.get_data(as_text=True)
                names = re.findall(r'name="([A-Za-z_][\w-]*)"', html)
                known = site.fields.setdefault(url, [])
                known += [n for n in dict.fromkeys(names) if n not in known
                          and n not in ("csrf_token", "csrf-token", "viewport")]
                parser = _Forms(url)
                parser.feed(html)
                for action, fields in parser.forms:
                    key = (action.partition("?")[0], tuple(sorted({f[0] for f in fields})))
                    if key not in seen:  # the same form seen by another role (or page)
                        seen.add(key)
                        site.forms.setdefault((role, rule.rule), []).append((action, fields))


class _RowCounts:
    """Row counts of the :data:`COUNTED` tables, read again only after another connection
    committed (SQLite bumps ``PRAGMA data_version`` then)."""

    SQL = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in COUNTED)

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path)
        self.version: int | None = None
        self.counts: tuple[int, ...] = ()

    def now(self) -> tuple[int, ...]:
        version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self.version:
            self.version, self.counts = version, tuple(self.conn.execute(self.SQL).fetchone())
        return self.counts


@pytest.fixture
def fresh(site):  # noqa: ANN001, ANN201
    """``site`` with the seeded database as the fixture left it, and its row counts."""
    from publisher.extensions import db

    with site.app.app_context():
        db.session.remove()
        db.engine.dispose()
    shutil.copy(site.template, site.work)
    site.rows = _RowCounts(site.work)
    yield site
    site.rows.conn.close()


# --- URLs --------------------------------------------------------------------------------


def _valid_values(rule, ids: dict[str, Any]) -> list[dict[str, Any]]:  # noqa: ANN001
    """URL values naming real things for ``rule``; several where kinds or actions differ."""
    endpoint, args = rule.endpoint, set(rule._converters)  # defaults are no part of the URL
    if "kind" in args:  # /content/<kind>/…: an item of that kind
        return [{"kind": kind, "item_id": item, "number": 1}
                for kind, item in ids["items"].items()]
    if endpoint.startswith("api.") and "item_id" in args:
        kind = {"policies": "policy", "services": "service", "produce": "produce",
                "notices": "notice"}[rule.rule.split("/")[3]]
        return [{"item_id": ids["items"][kind]}]
    if endpoint.startswith("imports.") and "name" in args:
        return [{"name": name, "fmt": fmt} for name in ("cadres", "roster", "produce")
                for fmt in (("xlsx", "csv") if "fmt" in args else ("",))]
    if "action" in args:
        return [{"incident_id": ids["incident_id"], "action": a}
                for a in ("acknowledge", "resolve", "cancel")]
    if endpoint == "admin.kept_photo_file":  # a name of the shape the form keeps
        return [{"township_id": ids["township_id"], "name": "0" * 32 + ".jpg"}]
    if endpoint == "live.hls":
        return [{"slug": "jianshan", "name": ids[name]} for name in ("playlist", "segment")]
    values = {
        "item_id": ids["alert_id"] if endpoint.startswith("emergency.") else ids["pending_id"],
        "token": ids["ack_token"] if endpoint == "emergency.ack" else ids["trigger_token"],
        "slug": "jianshan", "key": ids["page_key"], "rest": "v1/nothing",
        "filename": "admin.css",
    }
    return [{arg: values[arg] if arg in values else ids[arg] for arg in args}]


def _junk_values(rule, valid: dict[str, Any]) -> list[dict[str, Any]]:  # noqa: ANN001
    """``valid`` with one parameter at a time replaced by junk its converter accepts."""
    out = []
    for arg, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            continue  # anything else does not match the rule at all
        junk = JUNK_INTS if isinstance(converter, IntegerConverter) else JUNK_STRINGS
        out += [{**valid, arg: value} for value in junk]
    return out


def _url(rule, values: dict[str, Any]) -> str:  # noqa: ANN001
    rule_text = re.sub(r"<any\([^)]*\):", "<", rule.rule)
    return re.sub(r"<(?:[^:<>]+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule_text)


# --- garbage -----------------------------------------------------------------------------


def _urlencoded(fields: list[str], values: list[bytes]) -> bytes:
    """A form body written byte by byte, so it can carry invalid UTF-8 (lone surrogates)."""
    return b"&".join(f"{name}=".encode() + quote_from_bytes(values[i % len(values)]).encode()
                     for i, name in enumerate(fields))


def _bodies(fields: list[str], forms: int = 2, json: int = 2) -> list[tuple[str, dict]]:
    """(label, test-client keyword arguments) of every garbage body for a form of ``fields``:
    a fixed set, then ``forms`` forms and ``json`` JSON objects of wrong values (each one
    shifts the values by one field: as many as there are values puts each in every field).
    """
    every = list(dict.fromkeys([*fields, *EXTRA_FIELDS]))
    junk = b"\x00garbage\xff" * 100
    nasty = [b"\x00\x01", "\ud800".encode("utf-8", "surrogatepass"), b"\xff\xfe",
             "\u202e反转🐷".encode(), b"\xed\xbf\xbf%00"]
    uploads = {"file": ("x.xlsx", b"PK\x03\x04" + junk), "photo": ("x.jpg", junk),
               "logo": ("x.png", b"\x89PNG\r\n\x1a\n" + junk)}
    bodies: list[tuple[str, dict[str, Any]]] = [
        ("empty form", {"data": {}}),
        # Multipart (percent-encoding megabytes of Chinese takes the test client seconds);
        # 50 fields of 200 kB stay below MAX_CONTENT_LENGTH (16 MB).
        ("100k-character fields", {"data": dict.fromkeys(every[:50], HUGE),
                                   "content_type": "multipart/form-data"}),
        ("NUL and invalid UTF-8", {"data": _urlencoded(every, nasty),
                                   "content_type": "application/x-www-form-urlencoded"}),
        ("non-image uploads", {"content_type": "multipart/form-data", "data": {
            **{name: "x" for name in every},
            **{name: (io.BytesIO(body), filename) for name, (filename, body) in uploads.items()},
            **{name: (io.BytesIO(junk), "x.png") for name in fields
               if name not in uploads and name in FILE_FIELDS}}}),
        ("CSV, SVG and GIF junk uploads", {"content_type": "multipart/form-data", "data": {
            "file": (io.BytesIO(b"\xff\xfe\x00a,b\r\n\"unterminated"), "x.csv"),
            "photo": (io.BytesIO(b"<svg onload=alert(1)>"), "x.svg"),
            "logo": (io.BytesIO(b"GIF89a" + junk), "x.gif")}}),
        ("invalid JSON", {"data": b'{"title": "x", ', "content_type": "application/json"}),
        ("JSON array", {"json": [1, "x", None, {}]}),
        ("JSON nested nulls", {"json": {**dict.fromkeys(every), "data": {"a": None},
                                        "steps": [None, {"x": None}]}}),
    ]
    for shift in range(forms):
        bodies.append((f"wrong types #{shift}", {"data": {
            name: ([WRONG[(i + shift) % len(WRONG)], "x", BIG_INT] if name.endswith("_ids")
                   else WRONG[(i + shift) % len(WRONG)]) for i, name in enumerate(every)}}))
    for shift in range(json):
        bodies.append((f"JSON wrong types #{shift}", {"json": {
            name: JSON_WRONG[(i + shift) % len(JSON_WRONG)] for i, name in enumerate(every)}}))
    return bodies


# --- sending -----------------------------------------------------------------------------


def _client(site: SimpleNamespace, role: str):  # noqa: ANN202
    client = site.app.test_client()
    client.set_cookie("session", site.sessions[role][0])
    return client


def _summary(exc: BaseException) -> str:
    """The exception and the innermost line of ours it passed through."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = next((f"publisher/{f.filename.split('/publisher/')[-1]}:{f.lineno} in {f.name}"
                  for f in reversed(frames) if "/publisher/" in f.filename), "")
    return f"{type(exc).__name__}: {str(exc)[:200]} at {where}"


def _send(site: SimpleNamespace, role: str, client, method: str, url: str,  # noqa: ANN001
          kwargs: dict[str, Any]) -> tuple[int, str]:
    """The status (500 for an exception: TESTING lets them through) and what is wrong with
    the answer ("" if nothing: below 500, and JSON under /api/)."""
    csrf_token = site.sessions[role][1]
    headers = {"X-CSRFToken": csrf_token}
    if url.startswith("/api") and site.tokens[role]:
        headers["Authorization"] = f"Bearer {site.tokens[role]}"
    data = kwargs.get("data")
    if isinstance(data, MultiDict):
        data = data.copy()
        data.setlist("csrf_token", [csrf_token])
        kwargs = {**kwargs, "data": data}
    elif isinstance(data, dict):
        kwargs = {**kwargs, "data": {"csrf_token": csrf_token, **data}}
    site.errors.last = None
    try:
        response = client.open(url, method=method, headers=headers, **kwargs)
    except Exception as exc:  # noqa: BLE001 - in production, any exception is a 500
        return 500, _summary(exc)
    response.close()
    if response.status_code >= 500 and not (
            url.split("?")[0] == READINESS and response.status_code == 503
            and response.mimetype == "application/json"):
        return response.status_code, (_summary(site.errors.last) if site.errors.last
                                      else response.get_data()[:200].decode(errors="replace"))
    if url.startswith("/api/") and response.mimetype != "application/json":
        return response.status_code, f"answered {response.mimetype}, not JSON"
    return response.status_code, ""


# --- the tests ---------------------------------------------------------------------------


@functools.cache
def _routes() -> tuple[tuple[str, str], ...]:
    """(rule, method) of every route, from a throwaway app (parametrising needs them)."""
    from publisher import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "test", "DATA_DIR": Path(tmp),
                          "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return tuple(sorted({(rule.rule, method) for rule in app.url_map.iter_rules()
                         for method in rule.methods - {"HEAD", "OPTIONS"}
                         if rule.rule not in SKIP}))


def pytest_generate_tests(metafunc) -> None:  # noqa: ANN001
    for name, wanted in (("read_route", ("GET",)), ("write_route", WRITES)):
        if name in metafunc.fixturenames:
            pairs = [(path, method) for path, method in _routes() if method in wanted]
            metafunc.parametrize(name, pairs, ids=[f"{m} {p}" for p, m in pairs])
    if "page" in metafunc.fixturenames:
        pages = [path for path, method in _routes() if method == "GET"
                 and not path.startswith(("/api", "/static"))]
        metafunc.parametrize("page", pages)


def _rule(site: SimpleNamespace, path: str, method: str):  # noqa: ANN202
    return next(r for r in site.app.url_map.iter_rules()
                if r.rule == path and method in r.methods)


def test_every_route_is_walked():
    methods = {method for _path, method in _routes()}
    assert len(_routes()) > 140 and methods == {"GET", *WRITES}


def test_no_get_answers_5xx(fresh, read_route):
    site, (path, method) = fresh, read_route
    rule = _rule(site, path, method)
    failures = []
    for role in ROLES:
        client = _client(site, role)
        for values in _valid_values(rule, site.ids):
            urls = [_url(rule, values)] + [_url(rule, values) + q for q in JUNK_QUERIES]
            urls += [_url(rule, junk) for junk in _junk_values(rule, values)]
            for url in urls:
                status, problem = _send(site, role, client, "GET", url, {})
                if problem:
                    failures.append(f"{role} GET {url[:120]}: {status} {problem}")
    assert not failures, "\n".join(failures)


def test_no_garbage_write_answers_5xx_or_changes_rows_when_refused(fresh, write_route):
    site, (path, method) = fresh, write_route
    rule = _rule(site, path, method)
    failures = []
    takes_json = rule.endpoint.startswith(JSON_ENDPOINTS)
    for role in ROLES:
        client = _client(site, role)
        sweep = {}
        if role in THOROUGH:
            sweep = {"json": len(JSON_WRONG)} if takes_json else {"forms": 4}
        for values in _valid_values(rule, site.ids):
            url = _url(rule, values)
            fields = site.fields.get(url) or site.all_fields
            bodies = _bodies(fields, **sweep)
            if rule.endpoint == "imports.upload":
                bodies += _garbage_sheets(site.import_headers[values["name"]])
            sends = [(url, label, body) for label, body in bodies]
            if role in THOROUGH:  # the others work on their own township whatever is asked
                sends += [(url + query, "junk query", {"data": {}}) for query in JUNK_QUERIES]
            junk_bodies = [b for b in _bodies([]) if b[0] in
                           JUNK_URL_BODIES[: 2 if role in THOROUGH else 1]]
            sends += [(_url(rule, junk), label, body)
                      for junk in _junk_values(rule, values) for label, body in junk_bodies]
            for target, label, body in sends:
                before = site.rows.now()
                status, problem = _send(site, role, client, method, target, body)
                where = f"{role} {method} {target[:120]} [{label}]: {status}"
                if problem:
                    failures.append(f"{where} {problem}")
                elif status >= 400 and site.rows.now() != before:
                    changed = [t for t, a, b in zip(COUNTED, before, site.rows.now(),
                                                    strict=True) if a != b]
                    failures.append(f"{where} but {', '.join(changed)} changed")
                if role == "anonymous" and status in (302, 401):
                    break  # sent to log in: no view reads the bodies that would follow
    assert not failures, "\n".join(failures)


def test_one_bad_field_in_a_form_as_its_page_fills_it_in(fresh, page):
    """Every form on the page (as admin, county administrator and cadre), with one field
    at a time set to a bad value: the rest is valid, so the bad value gets past the form's
    own checks to the services and parsers behind it."""
    site, failures = fresh, []
    for role in ("admin", "county", "cadre"):
        client = _client(site, role)
        for action, fields in site.forms.get((role, page), []):
            kinds = {name: kind for name, _value, kind in fields if name != "csrf_token"}
            for name, kind in kinds.items():
                for bad in BAD[kind]:
                    data = MultiDict([(n, v) for n, v, _ in fields if n != name] + [(name, bad)])
                    before = site.rows.now()
                    status, problem = _send(site, role, client, "POST", action, {"data": data})
                    where = f"{role} POST {action} [{name}={bad[:20]!r}]: {status}"
                    if problem:
                        failures.append(f"{where} {problem}")
                    elif status >= 400 and site.rows.now() != before:
                        failures.append(f"{where} but rows changed")
    assert not failures, "\n".join(failures)


def test_what_the_walk_found_is_answered_clearly(fresh):
    """The 500s this module found, each now a 4xx with a message (or the page itself)."""
    site = fresh
    admin, county = _client(site, "admin"), _client(site, "county")
    api = {"Authorization": f"Bearer {site.tokens['admin']}"}
    # A number beyond any row id, in the URL, the query or a JSON body: not found.
    assert admin.get(f"/cadres/{BIG_INT}/edit").status_code == 404
    response = admin.get(f"/api/v1/cadres/{BIG_INT}", headers=api)
    assert response.status_code == 404 and response.json["error"]["message"] == "找不到该干部。"
    response = admin.put(f"/api/v1/notices/{BIG_INT}", json={"title": "x"}, headers=api)
    assert (response.status_code, response.json["error"]["code"]) == (404, "not_found")
    response = admin.get(f"/api/v1/cadres?township_id={BIG_INT}", headers=api)
    assert response.status_code == 404 and response.json["error"]["message"] == "找不到该乡镇。"
    response = admin.post("/api/v1/whereabouts", json={"cadre_id": 2**70}, headers=api)
    assert response.status_code == 404 and response.json["error"]["message"] == "找不到该干部。"
    assert county.get(f"/cadres?township_id={BIG_INT}").status_code == 200  # the first one
    # JSON posted to a page is an empty form: refused with the form's errors.
    before = site.rows.now()
    response = admin.post("/content/notice/new", json=[1, None],
                          headers={"X-CSRFToken": site.sessions["admin"][1]})
    assert response.status_code == 400 and "请填写标题。" in response.get_data(as_text=True)
    assert site.rows.now() == before
    # "²" is a digit to str.isdigit() but no number: ignored like any other junk.
    assert county.get("/content/policy?page=²").status_code == 200
    assert admin.get("/audit?user=²").status_code == 200

"""Shared fixtures: a fresh app with a migrated temporary database per test."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

# The generated music bed (renderer.audio) is made once per machine for the whole suite, not
# once per test's data directory; render child processes inherit the setting.
os.environ.setdefault("VILLAGECAST_SHARED_AUDIO",
                      str(Path(tempfile.gettempdir()) / f"villagecast-test-audio-{os.getuid()}"))


# ``VILLAGECAST_TEST_DB=postgresql`` runs every test that takes ``app`` (or ``database_uri``)
# on the throwaway PostgreSQL cluster instead of SQLite; `make test` does both.
TEST_DB = os.environ.get("VILLAGECAST_TEST_DB", "sqlite").strip().lower() or "sqlite"
if TEST_DB not in ("sqlite", "postgresql"):
    raise pytest.UsageError(f"VILLAGECAST_TEST_DB must be sqlite or postgresql, not {TEST_DB!r}")


# Tests whose outcome depends on wall-clock pacing (live HLS/UDP, supervised processes,
# real daemons, browsers): `make test` runs them on their own after the rest, which runs on
# every core (pytest-xdist), so a busy neighbour never starves a paced stream.
REALTIME_MODULES = {
    "tests/playlists/test_hls_live.py", "tests/playlists/test_udp.py",
    "tests/playlists/test_feed.py", "tests/playlists/test_sound.py",
    "tests/emergency/test_clock_kill.py", "tests/emergency/test_disk_full.py",
    "tests/emergency/test_burst.py", "tests/emergency/test_personal_data.py",
    "tests/sms/test_routes.py", "tests/sms/test_gammu_gateway.py",
    "tests/publisher/test_metrics.py",
}
REALTIME_MARKERS = ("browser", "sms")


def _is_realtime(item) -> bool:  # noqa: ANN001
    path = Path(str(item.fspath)).resolve().relative_to(Path(__file__).resolve().parent.parent)
    return (path.parts[:2] == ("tests", "e2e") or path.as_posix() in REALTIME_MODULES
            or any(item.get_closest_marker(m) for m in REALTIME_MARKERS))


def pytest_configure(config) -> None:  # noqa: ANN001
    config.addinivalue_line("markers", "sqlite_file: checks SQLite's database file itself; "
                            "not run when VILLAGECAST_TEST_DB=postgresql")


def pytest_collection_modifyitems(config, items):  # noqa: ANN001
    for item in items:
        if _is_realtime(item):
            item.add_marker(pytest.mark.realtime)
        if TEST_DB == "postgresql" and item.get_closest_marker("sqlite_file"):
            item.add_marker(pytest.mark.skip(reason="the database is PostgreSQL"))
    # Tests that need a binary say so with a marker; fail loudly if it is missing
    # rather than skipping, because the set-up is supposed to install it.
    needs = {"ffmpeg": "ffmpeg", "browser": "chromium", "sms": "gammu-smsd"}
    for item in items:
        for marker, binary in needs.items():
            if item.get_closest_marker(marker) and shutil.which(binary) is None:
                item.add_marker(pytest.mark.xfail(reason=f"{binary} not installed", run=False,
                                                  strict=True))


@pytest.fixture(scope="session")
def browser():  # noqa: ANN201
    """One chromium for the whole session (Playwright's sync API allows one per thread), so
    every browser test shares it, whichever folder it lives in."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:  # noqa: ANN001
    """The migrations run once per test process; each ``app`` gets a copy of the result.

    Running every migration for each of several hundred tests cost minutes of the suite;
    the migrations themselves are still run (here, and on their own in test_migrations).
    """
    from flask_migrate import upgrade

    from publisher import create_app

    base = tmp_path_factory.mktemp("app-template")
    path = base / "template.db"
    app = create_app({"TESTING": True, "DATA_DIR": base / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        from publisher.extensions import db

        db.engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres():  # noqa: ANN201
    """A PostgreSQL cluster of this test process's own (tests/pg.py), started on first use
    and removed at the end; under pytest-xdist each worker has its own."""
    from tests.pg import PostgresCluster

    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def pg_template(postgres) -> str:  # noqa: ANN001
    """The name of a database the migrations ran on once; each test gets a copy of it."""
    from flask_migrate import upgrade

    from publisher import create_app
    from publisher.extensions import db

    name = "vc_template"
    url = postgres.create_database(name)
    base = Path(tempfile.mkdtemp(prefix="vc-pg-template-"))
    app = create_app({"TESTING": True, "DATA_DIR": base / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()  # CREATE DATABASE ... TEMPLATE needs it unused
    shutil.rmtree(base, ignore_errors=True)
    return name


@pytest.fixture(scope="session")
def pg_spare(postgres, pg_template: str) -> tuple[str, list[str]]:  # noqa: ANN001
    """(the template's shape, databases emptied after their test and ready for the next):
    emptying a database costs a tenth of copying the template."""
    return postgres.shape(pg_template), []


@pytest.fixture
def pg_database_uri(postgres, pg_template: str, pg_spare, request) -> Iterator[str]:  # noqa: ANN001
    """A migrated PostgreSQL database with no rows for one test, whatever
    VILLAGECAST_TEST_DB says; emptied afterwards for another test (open connections
    closed), or dropped if the test changed its schema."""
    shape, spare = pg_spare
    if spare:
        name = spare.pop()
    else:
        name = f"t_{os.urandom(6).hex()}"
        postgres.create_database(name, template=pg_template)
    yield postgres.url(name)
    if postgres.empty_database(name, shape):
        spare.append(name)
    else:
        postgres.drop_database(name)


@pytest.fixture
def database_uri(request, tmp_path: Path) -> str:  # noqa: ANN001
    """A fresh migrated database for one test: a copy of the SQLite template, or of the
    PostgreSQL one when VILLAGECAST_TEST_DB=postgresql."""
    if TEST_DB == "postgresql":
        return request.getfixturevalue("pg_database_uri")
    shutil.copyfile(request.getfixturevalue("migrated_template"), tmp_path / "test.db")
    return f"sqlite:///{tmp_path / 'test.db'}"


def _dispose(app) -> None:  # noqa: ANN001
    from publisher.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(tmp_path: Path, database_uri: str):  # noqa: ANN201
    from publisher import create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": database_uri})
    yield app
    _dispose(app)


@pytest.fixture
def pg_app(tmp_path: Path, pg_database_uri: str):  # noqa: ANN201
    """An app on a fresh migrated PostgreSQL database, for tests that need PostgreSQL itself
    (row locks, SKIP LOCKED) whichever database the rest of the suite runs on."""
    from publisher import create_app

    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": pg_database_uri})
    yield app
    _dispose(app)


# Where the ``clock`` fixture starts unless a folder's conftest overrides ``clock_start``:
# a Monday, 09:00 in Beijing.
CLOCK_START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def clock_start() -> datetime:
    return CLOCK_START


@pytest.fixture
def clock(app, clock_start: datetime):  # noqa: ANN001, ANN201
    """The one way tests move time: a FakeClock (tests/fake_clock.py) made the app's clock
    (publisher.clock), so every page, job and service of ``app`` reads it. Move it with
    ``advance`` (time passes), ``step``/``set`` (the wall clock is set)."""
    from tests.fake_clock import installed

    with installed(app, clock_start) as fake:
        yield fake


@pytest.fixture
def client(app):  # noqa: ANN001, ANN201
    return app.test_client()


@pytest.fixture
def db_session(app):  # noqa: ANN001, ANN201
    from publisher.extensions import db

    with app.app_context():
        yield db.session


@pytest.fixture
def township(app):  # noqa: ANN001, ANN201
    """A township with two villages and one channel; returns its id."""
    from publisher.extensions import db
    from publisher.models import Channel, Township, Village

    with app.app_context():
        t = Township(name="监山乡", county="乾元县", duty_phone="0991-1234567")
        db.session.add(t)
        db.session.flush()
        db.session.add_all([Village(township_id=t.id, name="张家村"),
                            Village(township_id=t.id, name="李家沟村"),
                            Channel(township_id=t.id, slug="jianshan", name="监山乡村频道")])
        db.session.commit()
        return t.id


@pytest.fixture
def make_user(app):  # noqa: ANN001, ANN201
    from publisher.extensions import db
    from publisher.models import User

    def make(username: str, role: str = "editor", township_id: int | None = None,
             password: str = "secret-pass") -> int:
        with app.app_context():
            user = User(username=username, display_name=username, role=role,
                        township_id=township_id)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            return user.id

    return make


class AuthActions:
    def __init__(self, client) -> None:  # noqa: ANN001
        self._client = client

    def csrf_token(self, path: str = "/login") -> str:
        html = self._client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
            r'name="csrf-token" content="([^"]+)"', html)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def login(self, username: str, password: str = "secret-pass"):  # noqa: ANN201
        token = self.csrf_token("/login")
        return self._client.post("/login", data={"username": username, "password": password,
                                                 "csrf_token": token})

    def logout(self):  # noqa: ANN201
        return self._client.post("/logout", data={"csrf_token": self.csrf_token("/")})


@pytest.fixture
def auth(client) -> Iterator[AuthActions]:  # noqa: ANN001
    yield AuthActions(client)

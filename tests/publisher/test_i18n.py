"""The admin speaks Simplified Chinese, and English with ``?lang=en``.

The catalog is compiled into a temporary directory here, exactly as ``pybabel compile``
does at set-up, so the test needs no compiled files in the source tree.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.publisher import test_content_support as support

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "publisher/translations/en/LC_MESSAGES/messages.po"
# The files whose every string must be translated (the admin and what it shows).
MUST_TRANSLATE = re.compile(
    r"^publisher/(admin/.*\.py|templates/admin/.*\.html|templates/(base|_nav|error)\.html"
    r"|templates/auth/.*\.html|auth/.*\.py|web\.py|services/(content|scope)\.py)$"
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog():  # noqa: ANN202
    with PO.open("rb") as fh:
        return read_po(fh, locale="en")


def _extracted() -> dict[str, set[str]]:
    """msgid → files, extracted from the source as ``pybabel extract -F babel.cfg`` does."""
    method_map = [("publisher/**.py", "python"), ("publisher/templates/**.html", "jinja2")]
    found: dict[str, set[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords={"_": None, "_l": None, "gettext": None,
                                             "lazy_gettext": None}):
        if MUST_TRANSLATE.match(filename) and isinstance(message, str):
            found.setdefault(message, set()).add(filename)
    return found


def test_every_admin_string_has_an_english_translation():
    catalog = _catalog()
    translated = {m.id: m.string for m in catalog if m.id}
    extracted = _extracted()
    assert len(extracted) > 200
    missing = {msg: sorted(files) for msg, files in extracted.items() if not translated.get(msg)}
    assert missing == {}


def test_translations_keep_their_placeholders():
    for message in _catalog():
        if message.id and message.string:
            assert set(PLACEHOLDER.findall(message.id)) == set(
                PLACEHOLDER.findall(message.string)), message.id


@pytest.fixture
def english_app(tmp_path):  # noqa: ANN001, ANN201
    """The app with the English catalog compiled into a temporary directory."""
    from flask_migrate import upgrade

    from publisher import create_app

    out = tmp_path / "translations/en/LC_MESSAGES"
    out.mkdir(parents=True)
    with (out / "messages.mo").open("wb") as fh:
        write_mo(fh, _catalog())
    app = create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
                      "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations")})
    with app.app_context():
        upgrade()
    return app


def test_the_admin_switches_to_english_and_back(english_app):  # noqa: ANN001
    from publisher.extensions import db
    from publisher.models import Township, User
    from publisher.services import content

    with english_app.app_context():
        township = Township(name="监山乡")
        db.session.add(township)
        db.session.flush()
        editor = User(username="editor", display_name="王晓燕", role="editor",
                      township_id=township.id)
        editor.set_password("secret-pass")
        db.session.add(editor)
        db.session.commit()
        content.create_item(editor, township, "policy", dict(support.POLICY))
    client = english_app.test_client()
    html = client.get("/login?lang=en").get_data(as_text=True)
    assert "Staff login" in html and "Username" in html
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    client.post("/login", data={"username": "editor", "password": "secret-pass",
                                "csrf_token": csrf})
    pages = {
        "/": ["Dashboard", "Review queue", "Today's whereabouts", "On air", "Bulk import"],
        "/content/policy": ["Subsidy policies", "Search", "Draft", "Last changed"],
        "/content/policy/1": ["Version history", "Submit for review", "Preview on TV"],
        "/content/policy/1/edit": ["Policy name", "Save and submit for review", "On air from"],
        "/review": ["Pending review", "Nothing is waiting for review."],
        "/audit": ["Audit log", "The log is read-only"],
    }
    for url, phrases in pages.items():
        html = client.get(url).get_data(as_text=True)
        for phrase in phrases:
            assert phrase in html, (url, phrase)
        assert "工作台" not in html and "审核队列" not in html, url
    response = client.post("/content/policy/new", data={"csrf_token": csrf, "title": ""})
    assert "Please enter the policy name." in response.get_data(as_text=True)
    assert "工作台" in client.get("/?lang=zh").get_data(as_text=True)


def test_outside_a_request_text_is_in_the_default_language(english_app):  # noqa: ANN001
    """Jobs and CLI commands translate in an app context with no request: Chinese."""
    from flask_babel import get_locale, gettext

    with english_app.test_request_context("/?lang=en"):
        assert gettext("找不到该页面。") == "Page not found."  # the catalog is there
    with english_app.app_context():
        assert str(get_locale()) == "zh"
        assert gettext("找不到该页面。") == "找不到该页面。"


def test_the_login_prompt_is_chinese_by_default_and_english_when_chosen(english_app):  # noqa: ANN001
    client = english_app.test_client()
    page = client.get("/content/policy", follow_redirects=True).get_data(as_text=True)
    assert "请先登录。" in page
    client.get("/login?lang=en")
    page = client.get("/content/policy", follow_redirects=True).get_data(as_text=True)
    assert "Please log in first." in page and "请先登录" not in page


def test_the_english_catalog_has_no_untranslated_or_fuzzy_entries():
    catalog = _catalog()
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == [] and fuzzy == []

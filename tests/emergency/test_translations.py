"""The emergency pages and the SMS gateway's messages have English translations too."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "publisher/translations/en/LC_MESSAGES/messages.po"
SECTION = re.compile(r"^publisher/(emergency/.*\.py|sms/.*\.py|templates/emergency/.*\.html)$")


def test_every_emergency_string_has_an_english_translation():
    with PO.open("rb") as fh:
        translated = {m.id: m.string for m in read_po(fh, locale="en") if m.id}
    method_map = [("publisher/**.py", "python"), ("publisher/templates/**.html", "jinja2")]
    missing = sorted(
        message for filename, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, keywords={"_": None, "_l": None, "gettext": None,
                                             "lazy_gettext": None})
        if SECTION.match(filename) and isinstance(message, str) and not translated.get(message))
    assert missing == []

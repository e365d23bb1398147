"""Telephone numbers as township staff write them: one set of rules for every door.

Numbers air on the channel and viewers dial them (a produce card even turns its number
into a QR code to call), so a digit too few must be refused where it is typed. The admin
forms, the people pages, the bulk import and the API all call these functions; they are
pure (no app, no database) and raise :class:`FieldError` naming the field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from enum import StrEnum

from flask_babel import gettext as _

from publisher.services.errors import FieldError


class PhoneKind(StrEnum):
    MOBILE = "mobile"  # 13812345678
    LANDLINE = "landline"  # 0991-1234567, with the area code; an extension may follow
    HOTLINE = "hotline"  # 400-123-4567, 800-123-4567
    SERVICE = "service"  # 110, 120, 12345, 12316, 10086, 95588 …


# A person's or a business's own number: what a produce seller, a cadre's office or a
# township's duty line can be. Short service numbers are not anyone's own number.
OWN_NUMBER = frozenset({PhoneKind.MOBILE, PhoneKind.LANDLINE, PhoneKind.HOTLINE})
ANY_NUMBER = frozenset(PhoneKind)

# A run of digits shorter than this is a house number, a window, a step: not a phone.
# Five is the shortest service number that matters here (12345, 12316).
PHONE_LIKE_DIGITS = 5

_MOBILE = re.compile(r"1[3-9]\d{9}")
_HOTLINE = re.compile(r"[48]00\d{7}")
# Emergency (110, 112, 119, 120, 122, 999), directory (114), government hotlines (12xxx),
# carriers (100xx) and banks or utilities (95xxx, 96xxx).
_SERVICE = re.compile(r"11[0249]|12[02]|999|12\d{3}|100\d{2}|9[56]\d{3}")
# Area code 0xx or 0xxx, then a 7 or 8 digit local number.
_LANDLINE = re.compile(r"0[1-9]\d{8,10}")
_COUNTRY = re.compile(r"^(?:\+|00)86[\s-]*")
_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|-)\s*(\d{1,6})$", re.IGNORECASE)
_SHAPE = re.compile(r"[\d\s()\-]+")
_GROUP = re.compile(r"\d+")
# In free text: dates and clock times are digit runs too, but never phone numbers.
_NOT_PHONES = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?|\d{1,2}\s*:\s*\d{2}")
_RUN = re.compile(r"\+?[\d(][\d\s()\-]*\d(?:\s*(?:转|分机)\s*\d{1,6})?|\d")


def _tidy(value: str) -> str:
    """Full-width digits and brackets made ASCII, blank runs made one space, ends trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value or "")).strip()


def _landline(groups: list[str], digits: str) -> bool:
    if not _LANDLINE.fullmatch(digits):
        return False
    if len(groups) == 1:
        return True
    area, local = groups[0], digits[len(groups[0]):]
    return len(area) in (3, 4) and len(local) in (7, 8)


def _kind_of(main: str) -> PhoneKind | None:
    if not _SHAPE.fullmatch(main):
        return None
    groups = _GROUP.findall(main)
    digits = "".join(groups)
    if _MOBILE.fullmatch(digits):
        return PhoneKind.MOBILE
    if _HOTLINE.fullmatch(digits):
        return PhoneKind.HOTLINE
    if _landline(groups, digits):
        return PhoneKind.LANDLINE
    if _SERVICE.fullmatch(digits):
        return PhoneKind.SERVICE
    return None


def phone_kind(value: str, *, extension: bool = True) -> PhoneKind | None:
    """What one written number is (``None`` when it is not a valid number).

    Spaces, dashes and brackets may group the digits; a mobile may carry +86; a landline
    or a 400 number may end in an extension (``转801``) when ``extension`` is true.
    """
    text = _COUNTRY.sub("", _tidy(value))
    kind = _kind_of(text)
    if kind is not None:
        return kind
    match = _EXTENSION.search(text)
    if not extension or match is None or match.start() == 0:
        return None
    kind = _kind_of(text[:match.start()])
    return kind if kind in (PhoneKind.LANDLINE, PhoneKind.HOTLINE) else None


def normalise_mobile(value: str) -> str:
    """Full-width digits, spaces, dashes and a +86 prefix removed: ``13812345678``."""
    value = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value or ""))
    for prefix in ("+86", "0086"):
        if value.startswith(prefix):
            value = value[len(prefix):]
    if len(value) == 13 and value.startswith("86"):
        value = value[2:]
    return value


def clean_mobile(value: str, field: str = "phone") -> str:
    """A valid 11-digit mobile number (as digits only) or ``""``; FieldError otherwise.

    A cadre's mobile identifies their SMS check-ins, so only a mobile will do.
    """
    phone = normalise_mobile(value)
    if phone and not _MOBILE.fullmatch(phone):
        raise FieldError(field, _("手机号应为 11 位数字，以 1 开头，例如 13812345678。"))
    return phone


def clean_phone(value: str, field: str, *, kinds: Collection[PhoneKind] = OWN_NUMBER,
                extension: bool = False) -> str:
    """One phone number, tidied (``""`` stays ``""``); FieldError when it is not valid.

    ``kinds`` says which kinds the field takes; ``extension`` whether ``转801`` may follow
    (not where the number is dialled automatically or turned into a QR code).
    """
    phone = _tidy(value)
    if phone and phone_kind(phone, extension=extension) not in kinds:
        raise FieldError(field, _("电话格式不正确，应为 11 位手机号或 0991-1234567 这样的座机。"))
    return phone


def _leftover_digits(segments: list[str]) -> int:
    """The fewest digits left over when ``segments`` are read as consecutive numbers.

    Staff separate two numbers with a space as readily as they group one number's digits
    with spaces, so every way of joining neighbouring segments into numbers is tried.
    """
    n = len(segments)
    best = [0] + [10**6] * n
    for end in range(1, n + 1):
        last = segments[end - 1]
        best[end] = best[end - 1] + sum(c.isdigit() for c in last)
        for start in range(end):
            if phone_kind(" ".join(segments[start:end])) is not None:
                best[end] = min(best[end], best[start])
    return best[n]


def check_phones_in_text(value: str, field: str) -> str:
    """Free text such as ``乡农业服务中心 0991-1234567``: every number in it must be valid.

    A run of at least :data:`PHONE_LIKE_DIGITS` digits is read as phone numbers (grouped
    by spaces, dashes or brackets, possibly several side by side); any kind of number is
    accepted, service numbers included. Returns the text stripped, its punctuation kept.
    """
    text = (value or "").strip()
    for match in _RUN.finditer(_NOT_PHONES.sub("|", _tidy(text))):
        run = re.sub(r"\s*(转|分机)\s*", r"\1", match.group())
        if sum(c.isdigit() for c in run) < PHONE_LIKE_DIGITS:
            continue
        if _leftover_digits(run.split()) >= PHONE_LIKE_DIGITS:
            raise FieldError(field, _(
                "“%(number)s”不是有效的电话号码：手机号为 11 位，座机要带区号，"
                "例如 13812345678、0991-1234567。", number=match.group().strip("( ")))
    return text

"""The one set of phone rules (publisher.services.phones), without an app or a database."""

from __future__ import annotations

import pytest

from publisher.services.errors import FieldError
from publisher.services.phones import (
    ANY_NUMBER,
    PhoneKind,
    check_phones_in_text,
    clean_mobile,
    clean_phone,
    phone_kind,
)


@pytest.mark.parametrize(("number", "kind"), [
    ("13812345678", PhoneKind.MOBILE),
    ("138 1234 5678", PhoneKind.MOBILE),
    ("+86 138-1234-5678", PhoneKind.MOBILE),
    ("19912345678", PhoneKind.MOBILE),
    ("0991-1234567", PhoneKind.LANDLINE),
    ("010-12345678", PhoneKind.LANDLINE),
    ("(0991)1234567", PhoneKind.LANDLINE),
    ("０９９１－１２３４５６７", PhoneKind.LANDLINE),
    ("09911234567", PhoneKind.LANDLINE),
    ("0991-1234567转801", PhoneKind.LANDLINE),
    ("400-123-4567", PhoneKind.HOTLINE),
    ("800 123 4567", PhoneKind.HOTLINE),
    ("12345", PhoneKind.SERVICE),
    ("12316", PhoneKind.SERVICE),
    ("110", PhoneKind.SERVICE),
    ("120", PhoneKind.SERVICE),
    ("95588", PhoneKind.SERVICE),
])
def test_valid_numbers_and_their_kinds(number, kind):
    assert phone_kind(number) == kind


@pytest.mark.parametrize("number", [
    "123", "1390917", "1381234567", "23812345678", "0991-12345", "1234567", "6281110",
    "0991-123456789", "13812345678转801", "call me", "电话", "",
])
def test_invalid_numbers(number):
    assert phone_kind(number) is None


def test_an_extension_only_where_allowed():
    assert phone_kind("0991-1234567转801", extension=False) is None
    assert clean_phone("0991-1234567转801", "office_phone", extension=True)
    with pytest.raises(FieldError):
        clean_phone("0991-1234567转801", "phone")


@pytest.mark.parametrize(
    "value", ["123", "1390917", "12345", "call me", "13812345678、0991-1234567"])
def test_one_own_number_refuses_the_rest(value):
    with pytest.raises(FieldError) as refused:
        clean_phone(value, "phone")
    assert refused.value.field == "phone" and "电话格式不正确" in str(refused.value)


def test_one_number_is_tidied_and_blank_stays_blank():
    assert clean_phone(" ０９９１－１２３４５６７ ", "phone") == "0991-1234567"
    assert clean_phone("", "phone") == ""
    assert clean_phone("12345", "phone", kinds=ANY_NUMBER) == "12345"


def test_a_mobile_only_field():
    assert clean_mobile("+86 139 0000 3333") == "13900003333"
    for bad in ("1390917", "0991-1234567"):
        with pytest.raises(FieldError, match="11 位"):
            clean_mobile(bad)


@pytest.mark.parametrize("text", [
    "乡农业服务中心 0991-1234567",
    "0917-6281123",
    "12345 或 12316",
    "拨打 110 或 120",
    "400-123-4567",
    "王会计 138 1234 5678",
    "0991-1234567 13812345678",
    "0991-1234567、13812345678",
    "乡便民服务中心 0991-1234567 转 801",
    "张会计(13812345678)",
    "2号窗口 0991-1234567",
    "工作日 8:30-12:00，0991-1234567",
    "2025-06-30 前咨询 0991-1234567",
    "乡民政办",
    "",
])
def test_free_text_with_valid_numbers_passes(text):
    assert check_phones_in_text(text, "contact") == text.strip()


@pytest.mark.parametrize(("text", "shown"), [
    ("乡农业服务中心 1390917", "1390917"),
    ("咨询 123456", "123456"),
    ("1390 917", "1390 917"),
    ("0991-12345", "0991-12345"),
    ("张会计 1381234567", "1381234567"),
])
def test_free_text_with_a_broken_number_names_it(text, shown):
    with pytest.raises(FieldError) as refused:
        check_phones_in_text(text, "contact")
    assert refused.value.field == "contact"
    assert f"“{shown}”不是有效的电话号码" in str(refused.value)

"""Content forms: the shared part, and one form class per kind made from its declaration.

A kind's fields, labels, help, limits and required messages are declared once
(``renderer.kinds``); :func:`form_class` turns them into a WTForms class, so a limit is
caught here with a message next to the field and again by the service on every door.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Field,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from publisher.admin.upload_fields import UPLOAD_FIELDS, PhotoFields, RecordingFields
from publisher.forms import PageForm
from publisher.services.content import IMPORTANT, NORMAL, PINNED
from publisher.services.errors import FieldError
from publisher.services.phones import check_phones_in_text, clean_phone
from publisher.words import word
from renderer import declare
from renderer.declare import PRICE_TEXT, YEARS, KindDeclaration
from renderer.kinds import KINDS
from renderer.kinds.notice import CATEGORIES as NOTICE_CATEGORIES
from renderer.kinds.policy import CATEGORIES as POLICY_CATEGORIES
from renderer.kinds.produce import UNITS as PRODUCE_UNITS

PRICE = PRICE_TEXT
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
PRIORITY_LABELS = {NORMAL: _l("普通"), IMPORTANT: _l("重要"), PINNED: _l("置顶")}


def _max(n: int):  # noqa: ANN202
    return Length(max=n, message=_l("不能超过 %(n)s 个字。", n=n))


class PhoneRule:
    """A form validator that runs a phone check of ``services.phones``.

    The import and the API run the same check in the service, so a number is accepted or
    refused alike wherever it is typed; here the message lands next to the field.
    """

    def __init__(self, check: Callable[[str, str], str]) -> None:
        self.check = check

    def __call__(self, form: PageForm, field: Field) -> None:
        if field.data:
            try:
                self.check(field.data, field.name)
            except FieldError as exc:
                raise ValidationError(str(exc)) from None


class ContentForm(PageForm):
    """What every kind shares: the validity window and the save buttons."""

    valid_from = DateTimeLocalField(
        _l("上线时间"), format=DATETIME_FORMATS, validators=[Optional()],
        description=_l("按本乡镇当地时间。留空表示审核通过后立即播出。"))
    valid_until = DateTimeLocalField(
        _l("下线时间"), format=DATETIME_FORMATS, validators=[Optional()],
        description=_l("到时自动停播。留空表示一直播出，直到撤回。"))
    priority = SelectField(
        _l("播出优先级"), choices=[SelectChoice(v, label) for v, label in PRIORITY_LABELS.items()],
        coerce=int, default=NORMAL,
        description=_l("同类节目轮播时，置顶的排在最前，其次是重要的。改优先级也要重新审核。"))
    narration = BooleanField(
        _l("语音播报"), default=True,
        description=_l("频道开启语音播报时，用普通话朗读本条内容（紧急通知总是播报）。"))
    save = SubmitField(_l("保存草稿"))
    save_submit = SubmitField(_l("保存并提交审核"))

    def validate_valid_until(self, field) -> None:  # noqa: ANN001
        if field.data and self.valid_from.data and field.data <= self.valid_from.data:
            raise ValidationError(_l("下线时间必须晚于上线时间。"))

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        valid = super().validate(extra_validators)
        for field in self:
            value = field.data
            if isinstance(value, date) and not YEARS[0] <= value.year <= YEARS[1]:
                field.errors = [*field.errors, _l("日期超出范围，请检查年份。")]
                valid = False
        return valid


# How a typed field of a declaration becomes a form field.
_FIELD_CLASSES: dict[str, type] = {
    declare.LONG: TextAreaField, declare.LINES: TextAreaField, declare.DATE: DateField,
    declare.CHOICE: SelectField,
}  # fmt: skip
# A phone field is checked as the service checks it: a produce card's number becomes a QR
# code to call, so it must be one number; a contact line is free text with numbers in it.
_PHONE_CHECKS: dict[str, Callable[[str, str], str]] = {
    declare.PHONE: clean_phone, declare.CONTACT: check_phones_in_text,
}  # fmt: skip
_LIMITED = (declare.TEXT, declare.LONG, declare.LINES, declare.PHONE, declare.CONTACT,
            declare.CHOICE)  # fmt: skip


def _validators(declared: KindDeclaration, f: declare.Field) -> list[Any]:
    en = declared.en
    if f.asked:
        message = (word(f.required_message, en) if f.required_message
                   else _l("请填写“%(label)s”。", label=word(f.label, en)))  # fmt: skip
        validators: list[Any] = [DataRequired(message=message)]
    else:
        validators = [Optional()]
    if f.limit and f.type in _LIMITED:
        validators.append(_max(f.limit))
    if f.type == declare.PRICE:
        validators.append(Regexp(PRICE, message=_l("价格请填写数字，例如 4.5")))
    if f.type in _PHONE_CHECKS:
        validators.append(PhoneRule(_PHONE_CHECKS[f.type]))
    return validators


def form_field(declared: KindDeclaration, f: declare.Field) -> UnboundField:
    """The form field of one declared field (not uploads: see ``upload_fields``)."""
    en = declared.en
    kwargs: dict[str, Any] = {"validators": _validators(declared, f)}
    if f.help:
        kwargs["description"] = word(f.help, en)
    if f.type == declare.CHOICE:
        empty = [SelectChoice("", word(f.placeholder, en))] if f.placeholder else []
        kwargs["choices"] = empty + [SelectChoice(c, word(c, en)) for c in f.choices]
        kwargs["default"] = "" if f.placeholder else f.choices[0]
        if not f.asked:
            kwargs["validators"] = [v for v in kwargs["validators"] if not isinstance(v, Optional)]
    elif f.placeholder:
        kwargs["render_kw"] = {"placeholder": word(f.placeholder, en)}
    field_class = _FIELD_CLASSES.get(f.type, StringField)
    return field_class(word(f.label, en), **kwargs)


def _upload_field(mixin: type, declared: KindDeclaration, f: declare.Field) -> UnboundField:
    """The mixin's upload field under the declaration's label (a recording keeps its own:
    it is the second way to give one, after recording in the browser)."""
    unbound = getattr(mixin, f.name)
    if f.type == declare.RECORDING:
        return unbound
    return UnboundField(unbound.field_class, word(f.label, declared.en), **unbound.kwargs)


_FORMS: dict[str, type] = {}


def form_class(kind: str) -> type:
    """The admin form of a content kind, made once from its declaration.

    Its fields are the declaration's in order (a table of rows is not typed in a form), plus
    the upload part of each upload field (``upload_fields``), over :class:`ContentForm`.
    """
    if kind in _FORMS:
        return _FORMS[kind]
    declared = KINDS[kind]
    attrs: dict[str, Any] = {"__doc__": f"The form of {kind} (from renderer.kinds.{kind})."}
    mixins: list[type] = []
    for f in declared.fields:
        if f.upload:
            mixin = UPLOAD_FIELDS[f.type]
            mixins.append(mixin)
            attrs[f.name] = _upload_field(mixin, declared, f)
        elif f.type != declare.ROWS:
            attrs[f.name] = form_field(declared, f)
    name = "".join(part.capitalize() for part in kind.split("_")) + "Form"
    _FORMS[kind] = type(name, (*mixins, ContentForm), attrs)
    return _FORMS[kind]


def forget_form(kind: str) -> None:
    """Drop a kind's cached form (a test's throwaway kind)."""
    _FORMS.pop(kind, None)


# The form classes of the built-in kinds, by the names other modules and tests import.
PolicyForm = form_class("policy")
ServiceForm = form_class("service")
ProduceForm = form_class("produce")
NoticeForm = form_class("notice")
__all__ = ["NOTICE_CATEGORIES", "POLICY_CATEGORIES", "PRODUCE_UNITS", "ContentForm", "NoticeForm",
           "PhoneRule", "PhotoFields", "PolicyForm", "ProduceForm", "RecordingFields",
           "ServiceForm", "form_class"]  # fmt: skip

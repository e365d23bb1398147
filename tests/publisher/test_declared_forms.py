"""The admin's forms, labels and menus come from the kind declarations (renderer.kinds):
a limit or a required field declared once is the form's, with the same number and words."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict
from wtforms.validators import DataRequired, Length

from renderer import declare
from renderer.kinds import KINDS, reviewed_kinds, stored_kinds
from tests.publisher import test_content_support as support
from tests.renderer import test_declarations

login, office = support.login, support.office  # fixtures: pytest finds them as attributes
market = test_declarations.market

TYPED = (declare.TEXT, declare.LONG, declare.LINES, declare.PHONE, declare.CONTACT)


def _post(app, kind: str, data: dict):  # noqa: ANN001, ANN202
    """The kind's form bound to a POST of ``data`` and validated (no CSRF)."""
    from publisher.admin.forms import form_class

    with app.test_request_context("/", method="POST", data=MultiDict(data)):
        form = form_class(kind)(meta={"csrf": False})
        form.validate()
        return {name: [str(e) for e in form[name].errors] for name in form.data}


@pytest.mark.parametrize(
    ("kind", "f"),
    [(d.name, f) for d in reviewed_kinds() for f in d.fields if f.limit and f.type in TYPED],
    ids=lambda v: v if isinstance(v, str) else v.name,
)
def test_the_form_enforces_the_declared_limit(app, kind, f):  # noqa: ANN001
    from publisher.admin.forms import form_class

    validators = getattr(form_class(kind), f.name).kwargs["validators"]
    assert [v.max for v in validators if isinstance(v, Length)] == [f.limit]
    assert any(isinstance(v, DataRequired) for v in validators) == f.asked
    fits = "字" * f.limit
    over = "字" * (f.limit + 1)
    if f.type in (declare.PHONE, declare.CONTACT):
        fits = over = None  # a number is checked as a number; its length alone is not the rule
    if fits is not None:
        assert not [e for e in _post(app, kind, {f.name: fits})[f.name] if "不能超过" in e]
        assert f"不能超过 {f.limit} 个字" in " ".join(_post(app, kind, {f.name: over})[f.name])


@pytest.mark.parametrize("kind", [d.name for d in reviewed_kinds()])
def test_an_empty_form_says_what_the_declaration_says(app, kind):  # noqa: ANN001
    errors = _post(app, kind, {})
    for f in KINDS[kind].fields:
        if f.asked and not f.upload:
            assert errors[f.name] == [f.required_message or f"请填写“{f.label}”。"], f.name
        elif not f.upload and f.type != declare.CHOICE:
            assert errors.get(f.name) == [], f.name


def test_the_kind_enum_and_the_admin_kinds_are_the_declared_ones(app):  # noqa: ANN001
    from publisher.admin.kinds import FIELD_LABELS, summary
    from publisher.admin.kinds import KINDS as SPECS
    from publisher.models import Kind

    assert [k.value for k in Kind] == [d.name for d in stored_kinds()]
    assert Kind.POLICY == "policy" and Kind("alert") is Kind.ALERT
    assert list(SPECS) == [d.name for d in reviewed_kinds()]
    with app.test_request_context("/"):
        assert str(SPECS["produce"].category_label) == "所在村"
        assert str(FIELD_LABELS["whereabouts"]) == "每日去向"
        assert summary("produce", {"price": "4.5", "unit": "斤", "seller": "李大姐"}) == (
            "4.5 元/斤 · 李大姐")
        assert summary("policy", {"amount": "每亩 105 元"}) == "每亩 105 元"


def test_a_new_kind_gets_a_form_and_english_words_with_no_other_edit(app, market):  # noqa: ANN001
    from publisher.admin.forms import forget_form, form_class
    from publisher.admin.labels import kind_field_label, kind_label

    try:
        errors = _post(app, "market", {"title": "字" * 13, "day": "2026-04-20"})
        assert errors["title"] == ["不能超过 12 个字。"] and errors["day"] == []
        assert _post(app, "market", {})["title"] == ["请填写集市名称。"]
        with app.test_request_context("/?lang=en"):
            form = form_class("market")(meta={"csrf": False})
            assert str(form.title.label.text) == "Market"
            assert kind_label("market") == "Market day"
            assert kind_field_label("market", "stalls") == "Stalls"
        with app.test_request_context("/"):
            assert kind_label("market") == "集市"
    finally:
        forget_form("market")


def test_the_menu_lists_every_reviewed_kind(login):  # noqa: ANN001
    html = login("editor").text("/")
    for d in reviewed_kinds():
        assert f'href="/content/{d.name}"' in html and f'href="/content/{d.name}/new"' in html


@pytest.mark.parametrize(
    ("kind", "f"),
    [(d.name, f) for d in reviewed_kinds() for f in d.columns if f.limit and f.type in TYPED],
    ids=lambda v: v if isinstance(v, str) else v.name,
)
def test_an_import_column_is_the_declared_field(app, kind, f):  # noqa: ANN001
    """The spreadsheet's column: the declared header and aliases, and the same limit."""
    from publisher.imports.checks import clean_produce
    from publisher.imports.schema import TYPES
    from publisher.services.errors import FieldError

    column = TYPES[kind].column(f.name)
    assert (column.header, column.aliases, column.required) == (
        f.column.header, f.column.aliases, f.required)
    if kind != "produce" or f.type == declare.PHONE:
        return
    over = "字" * (f.limit + 1)
    with app.test_request_context("/"), pytest.raises(FieldError) as err:
        clean_produce({"product": "土豆", f.name: over}, {over}, today=date(2026, 1, 1))
    assert err.value.field == f.name and f"不能超过 {f.limit} 个字" in str(err.value)
    assert f"不能超过 {f.limit} 个字" in " ".join(_post(app, kind, {f.name: over})[f.name])

"""Each content kind is declared once (renderer.fields): the form's limits, the import's,
the API description and the renderer's parser all follow that declaration."""

from __future__ import annotations

import pytest
from wtforms.validators import DataRequired, Length

from renderer.fields import FIELDS, LINES, PHOTO, RECORDING


@pytest.mark.parametrize("kind", ["policy", "service", "produce", "notice"])
def test_form_limits_are_the_declared_ones(app, kind):
    from publisher.admin.kinds import KINDS

    form_class = KINDS[kind].form
    for f in FIELDS[kind]:
        if f.type in (PHOTO, RECORDING):
            continue
        bound = getattr(form_class, f.name)
        validators = bound.kwargs.get("validators", [])
        lengths = [v.max for v in validators if isinstance(v, Length)]
        if f.limit:
            assert lengths == [f.limit], (kind, f.name, lengths)
        if f.required:
            assert any(isinstance(v, DataRequired) for v in validators), (kind, f.name)
        assert KINDS[kind].field_names().count(f.name) == 1 or f.type == LINES


def test_import_and_api_follow_the_declaration(app):
    from publisher.api.spec import build_spec
    from publisher.imports.checks import PRODUCE_LIMITS

    assert {k: v for k, v in PRODUCE_LIMITS.items() if v} == {
        f.name: f.limit for f in FIELDS["produce"] if f.limit and f.name != "phone"}
    assert "price" in PRODUCE_LIMITS
    with app.test_request_context():
        schemas = build_spec()["components"]["schemas"]
    for kind in ("policy", "service", "produce", "notice"):
        props = schemas[f"{kind.capitalize()}Item"]["properties"]
        for f in FIELDS[kind]:
            assert f.name in props
            if f.limit and props[f.name]["type"] == "string" and f.type != "price":
                assert props[f.name]["maxLength"] == f.limit

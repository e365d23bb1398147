"""Each content kind is declared once (renderer.kinds): discovery, and the parser and the
shared check following the declaration (the forms' side: tests/publisher/test_declared_forms)."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import sys
from pathlib import Path

import pytest

import renderer.kinds
from renderer import declare
from renderer.fields import FIELDS, clean_item
from renderer.item_parser import known_types, parse_item
from renderer.items import ItemError
from renderer.kinds import KINDS, discover, reviewed_kinds, stored_kinds
from tests.renderer import samples

LIMITED = (declare.TEXT, declare.LONG, declare.LINES, declare.PHONE, declare.CONTACT)


def _module_names() -> set[str]:
    return {m.name for m in pkgutil.iter_modules(renderer.kinds.__path__)
            if not m.name.startswith("_")}  # fmt: skip


def test_every_kind_module_is_discovered_in_its_order():
    modules = {name: importlib.import_module(f"renderer.kinds.{name}") for name in _module_names()}
    declared = {m.DECLARATION.name for m in modules.values() if hasattr(m, "DECLARATION")}
    assert declared == set(KINDS)
    assert {"policy", "service", "produce", "notice", "video", "roster", "whereabouts", "alert",
            "ident"} <= set(KINDS)  # fmt: skip
    orders = [d.order for d in KINDS.values()]
    assert orders == sorted(orders)
    assert [d.name for d in reviewed_kinds()][:5] == ["policy", "service", "produce", "notice",
                                                       "video"]  # fmt: skip
    assert set(FIELDS) == {d.name for d in stored_kinds()}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_declaration_is_whole(kind):
    d = KINDS[kind]
    names = [f.name for f in d.fields]
    assert len(names) == len(set(names)), "a field declared twice"
    assert d.label and all(f.label for f in d.fields)
    item_fields = {f.name for f in dataclasses.fields(d.item)}
    assert "type" in item_fields
    if d.build is None:  # the generic builder fills the item from the aired fields (a
        # recording is not drawn: it is read on air in place of the synthesised voice)
        aired = {f.name for f in d.aired_fields if f.type != declare.RECORDING}
        assert aired <= item_fields
    if d.template:
        assert hasattr(importlib.import_module(f"renderer.templates.{d.template}"), "plan")
    if d.category_field:
        d.field(d.category_field)
    if d.source == declare.REVIEWED:
        d.field(d.title_field)
    for f in d.fields:
        assert f.type != declare.CHOICE or f.choices, f.name
        assert f.type != declare.ROWS or f.row, f.name
    assert not [f.name for f in d.aired_fields if f.personal], "personal data never airs"


def test_a_kind_that_would_air_a_personal_field_is_refused():
    notice = KINDS["notice"]
    leaky = dataclasses.replace(
        notice, name="leaky", collection="",
        fields=(*notice.fields, declare.Field("phone", "联系电话", declare.PHONE, personal=True)))
    with pytest.raises(RuntimeError, match="personal"):
        renderer.kinds.register(leaky)
    assert "leaky" not in KINDS
    # what the ledger does: personal intake fields, and a shape of its own on air
    renderer.kinds.register(dataclasses.replace(leaky, aired=notice.fields))
    try:
        assert KINDS["leaky"].personal_fields == ("phone",)
    finally:
        renderer.kinds.unregister("leaky")


def test_collections_are_unique():
    collections = [d.collection for d in KINDS.values() if d.collection]
    assert len(collections) == len(set(collections))
    assert renderer.kinds.by_collection("policies").name == "policy"


@pytest.mark.parametrize(
    ("kind", "f"),
    [(d.name, f) for d in stored_kinds() for f in d.fields if f.limit and f.type in LIMITED],
    ids=lambda v: v if isinstance(v, str) else v.name,
)
def test_a_declared_limit_is_the_parsers_and_the_checks(kind, f):
    """One number: the limit accepts that many characters everywhere and refuses one more."""
    base = _minimal(kind)
    fits = ["字" * f.limit] if f.type == declare.LINES else "字" * f.limit
    over = ["字" * (f.limit + 1)] if f.type == declare.LINES else "字" * (f.limit + 1)
    clean_item(kind, {**base, f.name: fits})
    with pytest.raises(ItemError) as err:
        clean_item(kind, {**base, f.name: over})
    assert err.value.field == f.name and f.label in str(err.value)
    if f in KINDS[kind].aired_fields:
        with pytest.raises(ItemError) as err:
            parse_item({**base, f.name: over, "type": kind})
        assert err.value.field == f.name


@pytest.mark.parametrize(
    ("kind", "f"),
    [(d.name, f) for d in stored_kinds() for f in d.fields if f.required],
    ids=lambda v: v if isinstance(v, str) else v.name,
)
def test_a_required_field_is_required_by_check_and_parser(kind, f):
    data = {k: v for k, v in _minimal(kind).items() if k != f.name}
    with pytest.raises(ItemError, match=f.label):
        clean_item(kind, data)


def _minimal(kind: str) -> dict:
    """The smallest valid data of a kind: its required fields filled."""
    data: dict = {}
    for f in KINDS[kind].fields:
        if f.required:
            data[f.name] = f.choices[0] if f.choices else (
                "/uploads/clip.mp4" if f.upload else "字")  # fmt: skip
    return data


def test_rows_are_checked_row_by_row_with_the_row_named():
    with pytest.raises(ItemError) as err:
        parse_item({"type": "roster", "rows": [{"name": "张明"}, {"name": "字" * 13}]})
    assert err.value.field == "rows[1].name" and "第 2 行" in str(err.value)
    board = parse_item({"type": "whereabouts", "rows": [{"name": "王五", "status": ""}]})
    assert board.rows[0].status == "未报告"  # an empty value airs as the item's default


def test_the_ident_and_the_samples_parse():
    assert parse_item({"type": "ident"}).type == "ident"
    for kind, data in samples.ALL.items():
        assert parse_item(data).type == kind


THROWAWAY = '''
from dataclasses import dataclass
from datetime import date

from renderer.declare import DATE, LINES, TEXT, Column, Field, KindDeclaration


@dataclass(frozen=True)
class MarketDay:
    title: str
    day: date | None = None
    stalls: tuple[str, ...] = ()
    type: str = "market"


DECLARATION = KindDeclaration(
    name="market", label="集市", item=MarketDay, template="notice", collection="markets",
    fields=(
        Field("title", "集市名称", TEXT, 12, True, required_message="请填写集市名称。",
              column=Column("名称", ("集市",))),
        Field("day", "赶集日期", DATE, column=Column("日期")),
        Field("stalls", "摊位", LINES, 100),
    ),
    summary=("day",),
    en={"集市": "Market day", "集市名称": "Market", "请填写集市名称。": "Name the market.",
        "赶集日期": "Date", "摊位": "Stalls"},
)
'''


@pytest.fixture
def market(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """A kind written as one module in a package of its own, discovered and registered."""
    package = tmp_path / "extra_kinds"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "market.py").write_text(THROWAWAY, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = discover([str(package)], "extra_kinds")
    assert list(found) == ["market"]
    monkeypatch.setitem(KINDS, "market", found["market"])
    yield found["market"]
    sys.modules.pop("extra_kinds.market", None)
    sys.modules.pop("extra_kinds", None)


def test_a_new_kind_module_parses_with_no_other_edit(market):  # noqa: ANN001
    item = parse_item({"type": "market", "title": " 三月三 ", "day": "2026-04-20",
                       "stalls": ["农具", "", "种子"]})  # fmt: skip
    assert (item.title, item.day.isoformat(), item.stalls) == ("三月三", "2026-04-20",
                                                              ("农具", "种子"))  # fmt: skip
    with pytest.raises(ItemError) as err:
        parse_item({"type": "market", "title": "字" * 13})
    assert err.value.field == "title" and "集市名称" in str(err.value)
    assert "market" in known_types()
    from renderer.templates import template_for

    assert template_for("market").NAME == "notice"


def test_a_template_that_speaks_for_its_kind_is_read_on_the_first_page(market, monkeypatch):  # noqa: ANN001
    """A kind's narration may live in its template (``narration(item)``), not in narration.py."""
    import types

    from renderer.narration import page_scripts

    template = types.ModuleType("renderer.templates.market_talk")
    template.NAME = "market"
    template.narration = lambda item: f"{item.title}，欢迎赶集。"
    monkeypatch.setitem(sys.modules, "renderer.templates.market_talk", template)
    monkeypatch.setitem(KINDS, "market", dataclasses.replace(market, template="market_talk"))
    item = parse_item({"type": "market", "title": "三月三"})
    assert page_scripts(item, [object(), object()]) == ["三月三，欢迎赶集。", ""]

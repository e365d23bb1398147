"""Bulk import: templates, reading xlsx/CSV in every encoding, row errors, all-or-nothing."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import post, text_of

org, world = support.org, support.world  # fixtures: pytest finds them as module attributes

CADRE_HEADER = ["姓名*", "职务", "手机号", "办公电话", "包村", "分管工作", "排序", "在岗"]
PRODUCE_HEADER = ["产品名称*", "村（社区）", "销售人", "价格", "单位", "数量", "联系电话",
                  "供应截止日期", "说明"]


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(",".join(r) for r in rows).encode(encoding)


def upload(client, kind: str, data: bytes, name: str = "data.xlsx"):  # noqa: ANN001, ANN201
    return post(client, f"/imports/{kind}", {"file": (io.BytesIO(data), name)},
                content_type="multipart/form-data")


def token_of(response) -> str:  # noqa: ANN001
    match = re.search(r'name="token" value="([^"]+)"', text_of(response))
    assert match, "no confirm button"
    return match.group(1)


def count(app, model, **where) -> int:  # noqa: ANN001, ANN003
    from publisher.extensions import db

    with app.app_context():
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return db.session.scalar(query)


def cadre_named(app, name: str):  # noqa: ANN001, ANN201
    from publisher.extensions import db
    from publisher.models import Cadre

    with app.app_context():
        cadre = db.session.scalar(select(Cadre).where(Cadre.name == name))
        return cadre and {"phone": cadre.phone, "post": cadre.post, "active": cadre.active,
                          "villages": sorted(v.name for v in cadre.villages),
                          "responsibilities": cadre.responsibilities,
                          "sort_order": cadre.sort_order, "office_phone": cadre.office_phone}


# ---- templates -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["cadres", "roster", "produce"])
def test_xlsx_template_has_the_headers_and_a_notes_sheet(world, kind):
    from publisher.imports.schema import TYPES

    client = support.client_for(world[0], "editor_a")
    response = client.get(f"/imports/{kind}/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    header = [c.value for c in book.worksheets[0][1]]
    assert [h.rstrip("*") for h in header] == [c.header for c in TYPES[kind].columns]
    assert book.worksheets[0].max_row == 1  # no sample rows that could be imported by mistake
    notes = book["填写说明"]
    assert any("张家村" in str(c.value) for row in notes.iter_rows() for c in row)


def test_csv_template_is_utf8_with_bom_for_excel(client, auth, org):
    auth.login("editor_a")
    response = client.get("/imports/produce/template.csv")
    assert response.data.startswith(b"\xef\xbb\xbf")
    # The template's columns are the declaration's, in the form's order (a sheet's own
    # order does not matter: columns are found by header).
    assert response.data.decode("utf-8-sig").strip() == ",".join(
        ["产品名称*", "村（社区）", "销售人", "联系电话", "价格", "单位", "数量", "供应截止日期",
         "说明"])


def test_unknown_type_and_format_are_404(client, auth, org):
    auth.login("editor_a")
    assert client.get("/imports/villagers/template.xlsx").status_code == 404
    assert client.get("/imports/cadres/template.pdf").status_code == 404


def test_filled_in_template_imports(app, client, auth, org):
    auth.login("editor_a")
    book = load_workbook(io.BytesIO(client.get("/imports/cadres/template.xlsx").data))
    sheet = book.worksheets[0]
    sheet.append(["王刚", "武装部长", 13900003333, "0991-7654321", "张家村、李家沟村",
                  "武装、应急", 30, "是"])
    out = io.BytesIO()
    book.save(out)
    preview = upload(client, "cadres", out.getvalue())
    assert preview.status_code == 200 and "检查通过：共 1 行" in text_of(preview)
    done = post(client, "/imports/cadres/commit", {"token": token_of(preview)})
    assert done.status_code == 303
    assert cadre_named(app, "王刚") == {
        "phone": "13900003333", "post": "武装部长", "active": True,
        "villages": ["张家村", "李家沟村"], "responsibilities": "武装、应急", "sort_order": 30,
        "office_phone": "0991-7654321"}
    assert "已导入 1 行干部信息" in text_of(client.get(done.headers["Location"]))


# ---- reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_every_excel_encoding(app, client, auth, org, encoding):
    auth.login("editor_a")
    rows = [CADRE_HEADER, ["王刚", "武装部长", "13900003333", "", "李家沟村", "", "", ""]]
    preview = upload(client, "cadres", csv_bytes(rows, encoding), "名册.csv")
    assert "王刚 · 武装部长 · 13900003333 · 李家沟村" in text_of(preview)
    post(client, "/imports/cadres/commit", {"token": token_of(preview)})
    assert cadre_named(app, "王刚")["villages"] == ["李家沟村"]


def test_reader_turns_excel_cells_into_text():
    from publisher.imports.reader import read_table
    from publisher.imports.schema import PRODUCE

    data = xlsx([PRODUCE_HEADER, ["土豆", None, None, 2.5, "元/斤", 5000, 13812345678.0,
                                  datetime(2030, 1, 31), None], [], [None] * 9])
    table = read_table(data, PRODUCE)
    [row] = table.rows
    assert row.number == 2
    assert row.values["price"] == "2.5" and row.values["quantity"] == "5000"
    assert row.values["phone"] == "13812345678" and row.values["available_until"] == "2030-01-31"


def test_headers_may_use_aliases_and_empty_extra_columns_are_left_out():
    from publisher.imports.reader import read_table
    from publisher.imports.schema import CADRES

    data = csv_bytes([["序号", "干部姓名", "手机", "备注"], ["1", "王刚", "13900003333", ""]])
    table = read_table(data, CADRES)
    assert table.rows[0].values == {"sort_order": "1", "name": "王刚", "phone": "13900003333"}
    assert table.ignored_headers == ["备注"] and table.settled


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"", "empty.csv", "空的"),
    (b"\xd0\xcf\x11\xe0" + b"\0" * 600, "old.xls", "无法读取该 .xls 文件"),
    (b"PK\x03\x04" + b"garbage" * 50, "broken.xlsx", "无法读取该 Excel 文件"),
    (bytes(range(256)) * 8, "random.csv", "编码"),
    ("职务,手机号\n副乡长,13900003333\n".encode(), "noname.csv", "缺少必填列：姓名"),
    ("姓名,姓名\n王刚,王刚\n".encode(), "dup.csv", "重复"),
    ("姓名\n".encode(), "header-only.csv", "没有可导入的数据行"),
])
def test_unreadable_files_get_a_clear_error(world, data, name, message):
    from publisher.models import Cadre

    app = world[0]
    client = support.client_for(app, "editor_a")
    before = count(app, Cadre)
    response = upload(client, "cadres", data, name)
    assert response.status_code in (200, 400)
    assert message in text_of(response)
    assert 'name="token"' not in text_of(response)
    assert count(app, Cadre) == before


def test_too_many_rows_are_refused(monkeypatch):
    from publisher.imports import reader
    from publisher.imports.schema import CADRES
    from publisher.services.errors import ServiceError

    monkeypatch.setattr(reader, "MAX_ROWS", 3)
    with pytest.raises(ServiceError, match="最多导入 3 行"):
        reader.read_table(csv_bytes([["姓名"]] + [[f"人{i}"] for i in range(5)]), CADRES)


# ---- row errors --------------------------------------------------------------------------


def test_every_row_error_is_listed_and_nothing_is_imported(app, client, auth, org):
    from publisher.models import Cadre

    auth.login("editor_a")
    rows = [
        CADRE_HEADER,
        ["王刚", "武装部长", "13900003333", "", "张家村", "", "", ""],        # 2: fine
        ["", "文书", "1390000", "", "", "", "", ""],                          # 3: name, phone
        ["赵六", "", "13900004444", "", "不存在村", "", "abc", "也许"],        # 4: 3 errors
        ["孙七", "", "13812345678", "", "", "", "", ""],                      # 5: 张明's phone
        ["王刚", "", "13900003333", "", "", "", "", ""],                      # 6: same as row 2
    ]
    before = count(app, Cadre)
    response = upload(client, "cadres", xlsx(rows))
    page = text_of(response)
    assert "本次没有导入任何数据" in page and 'name="token"' not in page
    errors = re.findall(r"<tr><td>第 (\d+) 行</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    by_row = {}
    for row, column, message in errors:
        by_row.setdefault(int(row), []).append((column, message))
    assert 2 not in by_row
    assert {c for c, _ in by_row[3]} == {"姓名", "手机号"}
    assert {c for c, _ in by_row[4]} == {"包村", "排序", "在岗"}
    assert any("不存在村" in m for _, m in by_row[4])
    assert by_row[5] == [("手机号", "该手机号已登记给干部“张明”。")]
    assert by_row[6] == [("手机号", "与第 2 行是同一名干部，请合并为一行。")]
    assert count(app, Cadre) == before


@pytest.mark.parametrize(("cells", "column", "message"), [
    ({2: "1390917"}, "手机号", "11 位"),
    ({3: "1390917"}, "办公电话", "电话格式不正确"),
    ({3: "123"}, "办公电话", "电话格式不正确"),
    ({6: "-5"}, "排序", "0 到 9999"),
])
def test_cadre_rows_follow_the_form_rules(world, cells, column, message):
    from publisher.models import Cadre

    app = world[0]
    client = support.client_for(app, "editor_a")
    row = ["王刚", "武装部长", "13900003333", "0991-7654321", "张家村", "", "10", "是"]
    for index, value in cells.items():
        row[index] = value
    before = count(app, Cadre)
    page = text_of(upload(client, "cadres", csv_bytes([CADRE_HEADER, row]), "c.csv"))
    assert re.search(rf"<td>第 2 行</td><td>{re.escape(column)}</td><td>[^<]*{message}", page)
    assert count(app, Cadre) == before


def test_existing_cadre_is_updated_by_phone_and_blank_cells_keep_values(app, client, auth, org):
    auth.login("editor_a")
    rows = [CADRE_HEADER, ["张明", "党委书记", "138 1234 5678", "", "", "", "", ""]]
    preview = upload(client, "cadres", csv_bytes(rows), "x.csv")
    assert "更新" in text_of(preview)
    post(client, "/imports/cadres/commit", {"token": token_of(preview)})
    cadre = cadre_named(app, "张明")
    assert cadre["post"] == "党委书记"
    assert cadre["office_phone"] == "0991-1234567" and cadre["villages"] == ["张家村"]


def test_roster_replaces_assignments_of_existing_cadres(app, client, auth, org):
    auth.login("editor_a")
    rows = [["姓名", "手机号", "职务", "包村", "分管工作", "排序"],
            ["张明", "", "", "李家沟村", "", ""],
            ["李芳", "13900001111", "", "张家村、李家沟村", "民政、社保", "5"]]
    preview = upload(client, "roster", csv_bytes(rows), "分工.csv")
    assert text_of(preview).count("更新") >= 2
    post(client, "/imports/roster/commit", {"token": token_of(preview)})
    zhang, li = cadre_named(app, "张明"), cadre_named(app, "李芳")
    assert zhang["villages"] == ["李家沟村"] and zhang["responsibilities"] == ""
    assert zhang["post"] == "党委副书记" and zhang["sort_order"] == 10  # blank: unchanged
    assert li["villages"] == ["张家村", "李家沟村"] and li["sort_order"] == 5


def test_roster_for_an_unknown_cadre_is_an_error(app, client, auth, org):
    auth.login("editor_a")
    rows = [["姓名", "包村"], ["张明", "张家村"], ["查无此人", "张家村"]]
    page = text_of(upload(client, "roster", csv_bytes(rows), "x.csv"))
    errors = page[page.index('id="errors"'):page.index("</section>", page.index('id="errors"'))]
    assert "第 3 行" in errors and "找不到干部“查无此人”" in errors
    assert "第 2 行" not in errors


# ---- produce ---------------------------------------------------------------------------


def test_produce_rows_become_drafts_for_review(app, client, auth, org):
    from publisher.extensions import db
    from publisher.models import ContentItem, ContentVersion

    auth.login("editor_a")
    rows = [PRODUCE_HEADER,
            ["高山土豆", "张家村", "李大姐", "1.2", "元/斤", "约5000斤", "13812345678",
             "2030-12-31", "沙地种植"],
            ["土鸡蛋", "", "", "", "", "", "0991-1234567", "2030/06/01", ""]]
    preview = upload(client, "produce", xlsx(rows))
    assert "导入为草稿" in text_of(preview)
    post(client, "/imports/produce/commit", {"token": token_of(preview)})
    with app.app_context():
        versions = db.session.scalars(select(ContentVersion).join(
            ContentItem, ContentVersion.item_id == ContentItem.id).where(
            ContentItem.kind == "produce").order_by(ContentVersion.id)).all()
        assert [(v.title, v.state) for v in versions] == [("高山土豆", "draft"),
                                                          ("土鸡蛋", "draft")]
        assert versions[0].data["village"] == "张家村" and versions[0].data["unit"] == "元/斤"
        assert versions[1].data["available_until"] == "2030-06-01"


@pytest.mark.parametrize(("cells", "column", "message"), [
    ({0: ""}, "产品名称", "必须填写"),
    ({0: "特别特别特别特别特别特别特别好吃的高山土豆"}, "产品名称", "20"),
    ({1: "王庄村"}, "村（社区）", "没有这个村"),
    ({6: "12345"}, "联系电话", "电话格式"),
    ({6: "123"}, "联系电话", "电话格式"),
    ({6: "1390917"}, "联系电话", "电话格式"),
    ({7: "明年"}, "供应截止日期", "2026-12-31"),
    ({7: "2001-01-01"}, "供应截止日期", "已经过去"),
    ({4: "元每市斤人民币"}, "单位", "6"),
])
def test_produce_row_errors(world, cells, column, message):
    from publisher.models import ContentItem

    app = world[0]
    client = support.client_for(app, "editor_a")
    row = ["土豆", "张家村", "", "1", "元/斤", "", "13812345678", "2030-01-01", ""]
    for index, value in cells.items():
        row[index] = value
    page = text_of(upload(client, "produce", csv_bytes([PRODUCE_HEADER, row]), "p.csv"))
    assert re.search(rf"<td>第 2 行</td><td>{re.escape(column)}</td><td>[^<]*{message}", page)
    assert count(app, ContentItem) == 0


def test_a_failure_midway_leaves_nothing_half_imported(app, client, auth, org, monkeypatch):
    from publisher.imports import apply as applying
    from publisher.models import AuditEvent, ContentItem, ContentVersion
    from publisher.services.errors import ServiceError

    auth.login("editor_a")
    rows = [PRODUCE_HEADER] + [[f"产品{i}", "", "", "", "", "", "", "", ""] for i in range(5)]
    preview = upload(client, "produce", xlsx(rows))
    real = applying.create_item
    calls = []

    def flaky(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) == 4:
            raise ServiceError("模拟：第 4 条保存失败")
        return real(*args, **kwargs)

    monkeypatch.setattr(applying, "create_item", flaky)
    audit_before = count(app, AuditEvent)
    response = post(client, "/imports/produce/commit", {"token": token_of(preview)})
    assert response.status_code == 400 and "模拟：第 4 条保存失败" in text_of(response)
    assert len(calls) == 4
    assert count(app, ContentItem) == 0 and count(app, ContentVersion) == 0
    assert count(app, AuditEvent) == audit_before  # the three earlier "create" events are gone
    monkeypatch.setattr(applying, "create_item", real)
    assert post(client, "/imports/produce/commit",
                {"token": token_of(preview)}).status_code == 303
    assert count(app, ContentItem) == 5


def test_commit_checks_the_rows_again(app, client, auth, org):
    from publisher.extensions import db
    from publisher.models import Cadre

    auth.login("editor_a")
    rows = [CADRE_HEADER, ["王刚", "", "13900003333", "", "", "", "", ""]]
    preview = upload(client, "cadres", csv_bytes(rows), "x.csv")
    with app.app_context():  # meanwhile someone registers the number for 李芳
        db.session.get(Cadre, org.cadre2).phone = "13900003333"
        db.session.commit()
    response = post(client, "/imports/cadres/commit", {"token": token_of(preview)})
    assert response.status_code == 400 and "已登记给干部“李芳”" in text_of(response)
    assert cadre_named(app, "王刚") is None


def test_pending_import_belongs_to_its_uploader(app, client, auth, org):
    auth.login("editor_a")
    preview = upload(client, "cadres", csv_bytes([CADRE_HEADER, ["王刚"] + [""] * 7]), "x.csv")
    token = token_of(preview)
    post(client, "/logout")
    auth.login("admin_a")
    assert post(client, "/imports/cadres/commit", {"token": token}).status_code == 404
    assert post(client, "/imports/roster/commit", {"token": token}).status_code == 404
    assert post(client, "/imports/cadres/commit", {"token": "../../etc/passwd"}).status_code == 404
    assert post(client, "/imports/cadres/commit",
                {"token": "x" * 24}).status_code == 410  # expired or already used
    assert cadre_named(app, "王刚") is None


def test_import_is_for_editors(client, auth, org):
    auth.login("reviewer_a")
    assert client.get("/imports/").status_code == 403
    assert upload(client, "cadres", csv_bytes([CADRE_HEADER])).status_code == 403


def test_import_is_audited(app, client, auth, org):
    from publisher.extensions import db
    from publisher.models import AuditEvent

    auth.login("editor_a")
    preview = upload(client, "cadres", csv_bytes([CADRE_HEADER, ["王刚"] + [""] * 7]), "名册.csv")
    post(client, "/imports/cadres/commit", {"token": token_of(preview)})
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import"))
        assert "干部信息 1 行" in event.summary and "名册.csv" in event.summary


# ---- all or nothing, for every import type ----------------------------------------------

ROSTER_HEADER = ["姓名", "手机号", "职务", "包村", "分管工作", "排序"]
BLANK_CADRE = [""] * 6
# Per type: good rows (the roster has only two cadres to update), and a row the checks
# refuse, put after the first two good ones.
FILES = {
    "cadres": (CADRE_HEADER,
               [["张明", "党委书记", "13812345678", "", "李家沟村", "", "", ""],
                ["王刚", "武装部长", "13900003333", "", "", "", "", ""],
                ["赵六", "文书", "13900004444", "", "", "", "", ""]],
               ["", "文书", "1390000"] + BLANK_CADRE[:5]),
    "roster": (ROSTER_HEADER,
               [["张明", "", "书记", "李家沟村", "全面工作", "1"],
                ["李芳", "13900001111", "", "张家村、李家沟村", "社保", "3"]],
               ["查无此人", "", "", "张家村", "", ""]),
    "produce": (PRODUCE_HEADER,
                [["高山土豆", "张家村"] + [""] * 7,
                 ["土鸡蛋", ""] + [""] * 7,
                 ["核桃", ""] + [""] * 7],
                ["蜂蜜", "王庄村"] + [""] * 7),
}


def _state(app) -> tuple:  # noqa: ANN001
    from publisher.models import AuditEvent, Cadre, ContentItem, ContentVersion

    return (count(app, Cadre), count(app, ContentItem), count(app, ContentVersion),
            count(app, AuditEvent), cadre_named(app, "张明"), cadre_named(app, "李芳"))


@pytest.mark.parametrize("kind", sorted(FILES))
def test_a_file_whose_last_row_is_bad_imports_nothing(app, client, auth, org, kind):
    header, good, bad_last = FILES[kind]
    auth.login("editor_a")
    before = _state(app)
    page = text_of(upload(client, kind, xlsx([header, *good[:2], bad_last])))
    assert "本次没有导入任何数据" in page and 'name="token"' not in page
    errors = page[page.index('id="errors"'):page.index("</section>", page.index('id="errors"'))]
    assert "第 4 行" in errors and "第 2 行" not in errors and "第 3 行" not in errors
    assert _state(app) == before


@pytest.mark.parametrize("kind", sorted(FILES))
def test_a_failure_saving_the_last_row_rolls_back_every_row(app, client, auth, org, kind,
                                                            monkeypatch):
    from publisher.imports import apply as applying
    from publisher.services.errors import ServiceError

    header, good, _bad = FILES[kind]
    auth.login("editor_a")
    preview = upload(client, kind, xlsx([header, *good]))
    before = _state(app)
    owner, name = ((applying, "create_item") if kind == "produce"
                   else (applying.cadre_service, "save_cadre"))
    real, calls = getattr(owner, name), []

    def fails_on_the_last_row(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(1)
        if len(calls) == len(good):
            raise ServiceError("模拟：最后一行保存失败")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, fails_on_the_last_row)
    response = post(client, f"/imports/{kind}/commit", {"token": token_of(preview)})
    assert response.status_code == 400 and "模拟：最后一行保存失败" in text_of(response)
    assert len(calls) == len(good)
    assert _state(app) == before
    monkeypatch.setattr(owner, name, real)
    assert post(client, f"/imports/{kind}/commit",
                {"token": token_of(preview)}).status_code == 303
    assert _state(app) != before


def test_content_import_columns_are_the_declarations():
    from publisher.imports.schema import PRODUCE
    from renderer.kinds import KINDS

    declared = KINDS["produce"]
    assert [c.key for c in PRODUCE.columns] == [f.name for f in declared.columns]
    for column in PRODUCE.columns:
        f = declared.field(column.key)
        assert (column.header, column.aliases, column.required) == (
            f.column.header, f.column.aliases, f.required)


def test_a_declared_choice_is_a_drop_down_in_the_template():
    from publisher.imports.schema import ImportType, declared_columns
    from publisher.imports.template import xlsx_template
    from renderer.declare import CHOICE, TEXT, Column, Field, KindDeclaration

    kind = KindDeclaration(name="thing", label="某事", item=object, fields=(
        Field("title", "标题", TEXT, 10, True, column=Column("标题")),
        Field("level", "级别", CHOICE, choices=("高", "低"), column=Column("级别", ("等级",))),
        Field("note", "备注", TEXT)))  # no column: not importable
    columns = declared_columns(kind)
    assert [(c.key, c.header, c.required, c.aliases, c.choices) for c in columns] == [
        ("title", "标题", True, (), ()), ("level", "级别", False, ("等级",), ("高", "低"))]
    book = load_workbook(io.BytesIO(xlsx_template(ImportType("thing", "某事", "", columns), [])))
    rules = book.worksheets[0].data_validations.dataValidation
    assert [(r.formula1, str(r.sqref)) for r in rules] == [('"高,低"', "B2:B501")]

"""Sheets as township offices keep them: a title above the header, their own column names,
columns the template does not know, the old .xls format. Nothing is dropped quietly."""

from __future__ import annotations

import io
import re
from datetime import date

from tests.publisher import test_people_support as support
from tests.publisher.test_import import cadre_named, count, csv_bytes, token_of, upload, xlsx
from tests.publisher.test_people_support import post, text_of

org, world = support.org, support.world  # fixtures: pytest finds them as module attributes

TITLED = [
    ["黄土坪乡2026年乡干部包村联系表"],
    ["填报单位：乡党政办", None, None, "填报日期：2026-11-30"],
    ["序号", "姓名", "职务", "联系电话", "包联村"],
    [1, "王刚", "武装部长", 13900003333, "张家村"],
    [2, "赵敏", "党政办主任", 13900004444, "李家沟村"],
]


def columns_form(page: str) -> dict[str, str]:
    """The column-choice selects on a preview page: select name → its label cell."""
    return dict(re.findall(r'<label for="(col_\d+)">([^<]*)</label>', page))


def test_title_rows_are_skipped_and_aliased_columns_kept(app, client, auth, org):
    auth.login("editor_a")
    preview = upload(client, "cadres", xlsx(TITLED), "包村联系表.xlsx")
    page = text_of(preview)
    assert "表头在第 3 行" in page and "黄土坪乡2026年乡干部包村联系表" in page
    assert "检查通过：共 2 行" in page and not columns_form(page)
    assert "联系电话 → 手机号、包联村 → 包村" in page
    assert "王刚 · 武装部长 · 13900003333 · 张家村" in page  # the phone arrived
    post(client, "/imports/cadres/commit", {"token": token_of(preview)})
    wang = cadre_named(app, "王刚")
    assert wang["phone"] == "13900003333" and wang["villages"] == ["张家村"]
    assert cadre_named(app, "赵敏")["post"] == "党政办主任"


def test_a_column_with_data_is_never_dropped_without_asking(app, client, auth, org):
    from publisher.models import Cadre

    auth.login("editor_a")
    rows = [["姓名", "职务", "手机号码", "挂钩事项"],
            ["王刚", "武装部长", "13900003333", "森林防火、应急"]]
    before = count(app, Cadre)
    page = text_of(upload(client, "cadres", csv_bytes(rows), "c.csv"))
    assert "检查通过" not in page and "确认导入" not in page
    assert columns_form(page) == {"col_3": "挂钩事项"}
    assert "森林防火、应急" in page  # the sample tells the user what the column holds
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    # Confirming the preview without a choice (a forged or stale form) imports nothing.
    refused = post(client, "/imports/cadres/commit", {"token": token})
    assert refused.status_code == 400 and "本次没有导入任何数据" in text_of(refused)
    assert count(app, Cadre) == before

    chosen = post(client, "/imports/cadres/columns",
                  {"token": token, "col_3": "responsibilities"})
    assert "检查通过：共 1 行" in text_of(chosen)
    post(client, "/imports/cadres/commit", {"token": token_of(chosen)})
    assert cadre_named(app, "王刚")["responsibilities"] == "森林防火、应急"


def test_leaving_a_column_out_is_an_explicit_choice(app, client, auth, org):
    auth.login("editor_a")
    rows = [["姓名", "手机", "备注"], ["王刚", "13900003333", "外出学习至12月"]]
    page = text_of(upload(client, "cadres", csv_bytes(rows), "c.csv"))
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    chosen = text_of(post(client, "/imports/cadres/columns", {"token": token, "col_2": "skip"}))
    assert "以下列不导入：备注" in chosen and "检查通过：共 1 行" in chosen


def test_a_required_column_under_another_name_is_found_by_choice(app, client, auth, org):
    auth.login("editor_a")
    rows = [["干部", "手机"], ["王刚", "13900003333"]]
    page = text_of(upload(client, "cadres", csv_bytes(rows), "c.csv"))
    assert "没有找到必填列：姓名" in page and "发现" not in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    chosen = post(client, "/imports/cadres/columns", {"token": token, "col_0": "name"})
    post(client, "/imports/cadres/commit", {"token": token_of(chosen)})
    assert cadre_named(app, "王刚")["phone"] == "13900003333"


def test_a_choice_for_a_column_of_another_users_preview_is_refused(world):
    app = world[0]
    owner = support.client_for(app, "editor_a")
    page = text_of(upload(owner, "cadres", csv_bytes([["干部"], ["王刚"]]), "c.csv"))
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    other = support.client_for(app, "editor_b")
    assert post(other, "/imports/cadres/columns", {"token": token, "col_0": "name"}
                ).status_code == 404


def xls(rows: list[list[object]]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("干部")
    dates = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write(r, c, value, dates)
            elif value is not None:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_old_xls_is_read_with_its_title_row(app, client, auth, org):
    auth.login("editor_a")
    preview = upload(client, "cadres", xls(TITLED), "花名册.xls")
    assert "检查通过：共 2 行" in text_of(preview)
    post(client, "/imports/cadres/commit", {"token": token_of(preview)})
    assert cadre_named(app, "王刚")["phone"] == "13900003333"  # a number cell, not 13900003333.0


def test_xls_dates_are_read_as_dates():
    from publisher.imports.reader import read_table
    from publisher.imports.schema import PRODUCE

    data = xls([["产品名称", "价格", "有效期至"], ["高山土豆", 2.5, date(2030, 1, 31)]])
    [row] = read_table(data, PRODUCE).rows
    assert row.values == {"product": "高山土豆", "price": "2.5", "available_until": "2030-01-31"}


def test_gbk_csv_with_a_title_row(app, client, auth, org):
    auth.login("editor_a")
    rows = [["黄土坪乡干部名单"], ["姓名", "手机", "包联村"], ["王刚", "13900003333", "张家村"]]
    preview = upload(client, "cadres", csv_bytes(rows, "gb18030"), "名单.csv")
    assert "检查通过：共 1 行" in text_of(preview)
    post(client, "/imports/cadres/commit", {"token": token_of(preview)})
    assert cadre_named(app, "王刚")["villages"] == ["张家村"]


def test_data_under_no_header_is_asked_about():
    from publisher.imports.reader import read_table
    from publisher.imports.schema import CADRES

    table = read_table(csv_bytes([["姓名", "手机"], ["王刚", "13900003333", "13900005555"]]),
                       CADRES)
    [column] = table.unmapped
    assert column.index == 2 and column.label == "第 C 列（无表头）" and not table.settled

"""Importing a paper ledger: the declaration's headers and aliases, the one row check, all
or nothing, no SMS to residents answered long ago."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import SmsMessage
from publisher.models.requests import ResidentRequest
from tests.publisher import test_people_support as support
from tests.publisher.test_people_support import client_for, csrf, text_of

org = support.org  # a fixture: pytest finds it as a module attribute

# Headers as a paper ledger has them: aliases, a title row above.
HEADERS = ("序号", "登记日期", "来电人", "电话", "村", "类别", "反映问题")


def _sheet(*rows: tuple) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["监山乡群众诉求登记台账"])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, data: bytes):  # noqa: ANN001, ANN201
    return client.post("/requests/import", data={"csrf_token": csrf(client),
                                                 "file": (io.BytesIO(data), "ledger.xlsx")},
                       content_type="multipart/form-data")


def test_a_bad_row_imports_nothing_and_says_which(app, org):
    editor = client_for(app, "editor_a")
    response = _upload(editor, _sheet(
        (1, "2026-11-02", "王五", "13911112222", "张家村", "基础设施", "路灯坏了"),
        (2, "2026-11-03", "赵六", "13911113333", "张家村", "修路", "村道坑洼")))
    assert response.status_code == 400
    page = text_of(response)
    assert "第 4 行（诉求类别）" in page and "只能是" in page
    with app.app_context():
        assert db.session.query(ResidentRequest).count() == 0


def test_a_paper_ledger_is_imported_with_its_dates_and_no_sms(app, org):
    editor = client_for(app, "editor_a")
    response = _upload(editor, _sheet(
        (1, "2026-11-02", "王五", "13911112222", "张家村", "基础设施", "路灯坏了"),
        (2, "2026-11-03", "", "", "李家沟村", "政策咨询", "低保怎么申请")))
    assert response.status_code == 303, text_of(response)
    with app.app_context():
        rows = list(db.session.scalars(select(ResidentRequest).order_by(ResidentRequest.id)))
        assert [(r.source, r.category, r.village.name) for r in rows] == [
            ("import", "基础设施", "张家村"), ("import", "政策咨询", "李家沟村")]
        assert rows[0].resident_name == "王五" and rows[0].phone == "13911112222"
        assert str(rows[0].received_at.date()) == "2026-11-02"
        assert db.session.query(SmsMessage).count() == 0
    assert client_for(app, "reviewer_a").get("/requests/import").status_code == 403

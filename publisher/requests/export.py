"""The monthly ledger as a spreadsheet shaped like the paper 群众诉求登记台账.

Names are in full (the paper ledger has them, and it is a staff record kept in the office);
phone numbers are masked: a file travels (e-mail, USB sticks) and the cadre who must call
the resident back reads the number on the request's page. Administrators only
(``access.can_export``)."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Township
from publisher.models.requests import ResidentRequest
from publisher.requests import access, rules

HEADERS = ("序号", "受理日期", "诉求人", "联系电话", "村", "类别", "诉求内容", "承办人",
           "办理时限", "办理结果", "办结日期", "回访情况")
WIDTHS = (6, 12, 10, 14, 10, 10, 40, 10, 12, 30, 12, 14)


def month_rows(township: Township, month: rules.Month) -> list[ResidentRequest]:
    """The requests received in ``month`` (township time), in the order received."""
    start, after = month.bounds(township.timezone)
    return list(db.session.scalars(
        select(ResidentRequest).where(ResidentRequest.township_id == township.id,
                                      ResidentRequest.received_at >= start,
                                      ResidentRequest.received_at < after)
        .order_by(ResidentRequest.received_at, ResidentRequest.id)))


def ledger_row(number: int, request: ResidentRequest, zone: str) -> tuple:
    def day(instant: datetime | None) -> str:
        return str(rules.local_day(instant, zone)) if instant else ""

    follow_up = ""
    if request.followed_up_at:
        follow_up = f"{day(request.followed_up_at)} {request.satisfaction}"
    return (number, day(request.received_at), request.resident_name,
            access.mask_phone(request.phone), request.village.name if request.village else "",
            request.category, request.text, request.cadre.name if request.cadre else "",
            day(request.deadline), request.result, day(request.closed_at), follow_up)


def ledger_xlsx(township: Township, month: rules.Month) -> bytes:
    """The month's ledger as an .xlsx file."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"{month.year}年{month.month}月"
    sheet.append([f"{township.name}群众诉求登记台账（{month.year}年{month.month}月）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for number, request in enumerate(month_rows(township, month), start=1):
        sheet.append(ledger_row(number, request, township.timezone))
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.data_type == "f":  # a resident's "=…" is text, never a formula
                cell.data_type = "s"
    sheet.freeze_panes = "A3"
    out = BytesIO()
    book.save(out)
    return out.getvalue()

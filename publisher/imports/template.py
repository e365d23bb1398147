"""Downloadable import templates: .xlsx with a notes sheet, or a UTF-8 (BOM) CSV."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from publisher.imports.schema import ImportType

DATA_SHEET = "导入数据"
NOTES_SHEET = "填写说明"


def _header(column) -> str:  # noqa: ANN001
    return f"{column.header}*" if column.required else column.header


def xlsx_template(kind: ImportType, villages: list[str]) -> bytes:
    """The data sheet (headers only, so nothing stray is imported) and a notes sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append([_header(c) for c in kind.columns])
    for index, column in enumerate(kind.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF" if column.required else "000000")
        cell.fill = PatternFill("solid", fgColor="0B3D5C" if column.required else "D9E2EC")
        sheet.column_dimensions[cell.column_letter].width = max(12, len(column.example) * 2 + 4)
        # Phone numbers and dates as text: Excel would otherwise show 1.38E+10 or reformat.
        sheet.column_dimensions[cell.column_letter].number_format = "@"
        if column.choices:
            rule = DataValidation(type="list", formula1=f'"{",".join(column.choices)}"',
                                  allow_blank=True)
            sheet.add_data_validation(rule)
            rule.add(f"{cell.column_letter}2:{cell.column_letter}501")
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(NOTES_SHEET)
    notes.append(["列名", "必填", "说明", "示例"])
    for column in kind.columns:
        notes.append([column.header, "是" if column.required else "", column.note, column.example])
    notes.append([])
    notes.append([kind.description])
    if villages:
        notes.append(["本乡镇的村（社区）：" + "、".join(villages)])
    for letter, width in zip("ABCD", (16, 8, 48, 28), strict=True):
        notes.column_dimensions[letter].width = width
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_template(kind: ImportType) -> bytes:
    """The header row as UTF-8 with a BOM, which Excel needs to show Chinese correctly."""
    out = io.StringIO()
    csv.writer(out).writerow([_header(c) for c in kind.columns])
    return out.getvalue().encode("utf-8-sig")

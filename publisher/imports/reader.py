"""Reading an uploaded spreadsheet into numbered rows of text (pure: bytes in, rows out).

Accepts .xlsx and CSV. Excel on a Chinese Windows saves "CSV" in GB18030 (GBK), newer
versions in UTF-8 with a BOM; both are tried. The type is told from the content, not the
name, so a renamed file is still read right (or refused clearly).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from flask_babel import gettext as _

from publisher.config import UPLOAD_MAX_BYTES, UPLOAD_MAX_MB
from publisher.imports.schema import ImportType
from publisher.services.errors import ServiceError

# The one upload limit; a township's roster or produce list is a few hundred rows, far below.
MAX_BYTES = UPLOAD_MAX_BYTES
MAX_ROWS = 2000
# An .xlsx is a zip: refuse one that would unpack to more than this (a zip bomb).
MAX_UNPACKED = 50 * 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
_HEADER_NOISE = re.compile(r"[\s*＊:：]|[（(]必填[)）]")


@dataclass(frozen=True)
class Row:
    number: int  # the row number the user sees in Excel (the header is usually 1)
    values: dict[str, str]


@dataclass
class Table:
    rows: list[Row] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    # Things imported as read but probably not what was meant (shown above the preview).
    warnings: list[str] = field(default_factory=list)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone typed as a number comes back as 13812345678.0
    return str(value).strip()


def _damaged() -> str:
    return _("无法读取该 Excel 文件，文件可能已损坏，请重新保存为 .xlsx 后再试。")


def _uncached_formulas(data: bytes, limit: int = 5) -> list[str]:
    """Cells holding a formula that Excel never calculated (a file written by a program):
    read as blank, which is not what the sheet shows once opened in Excel."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    found: list[str] = []
    try:
        rows = zip(book.worksheets[0].iter_rows(), values.worksheets[0].iter_rows(), strict=False)
        for number, (formulas, cached) in enumerate(rows, start=1):
            for formula, value in zip(formulas, cached, strict=False):
                text = formula.value
                if isinstance(text, str) and text.startswith("=") and value.value is None:
                    found.append(f"{getattr(formula, 'column_letter', '')}{number}")
            if len(found) >= limit or number > MAX_ROWS + 1:
                break
    finally:
        book.close()
        values.close()
    return found[:limit]


# What staff pick by mistake instead of a spreadsheet, by the first bytes of the file.
_NOT_TABLES = ((b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPG"), (b"GIF8", "GIF"),
               (b"%PDF", "PDF"), (b"BM", "BMP"), (b"RIFF", "WebP"))


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
                raise ServiceError(_("Excel 文件内容过大，请拆分后再导入。"))
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ServiceError:
        raise
    except Exception:  # openpyxl raises many types for a damaged file; all mean the same
        raise ServiceError(_damaged()) from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((number, [_cell(c) for c in cells]))
            if number > MAX_ROWS + 1:
                break
        return rows
    except Exception:
        raise ServiceError(_damaged()) from None
    finally:
        book.close()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (which covers GBK and GB2312)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise ServiceError(_("无法识别文件的编码，请在 Excel 中另存为 .xlsx 或“CSV UTF-8”。"))


def _csv_rows(data: bytes) -> list[tuple[int, list[str]]]:
    text = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        rows = []
        # Record numbers, not line numbers: Excel shows one record (even multi-line) per row.
        for number, cells in enumerate(reader, start=1):
            rows.append((number, [c.strip() for c in cells]))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except csv.Error:
        message = _("CSV 文件第 %(n)d 行附近格式有误（例如引号不成对）。请在 Excel 中打开，"
                    "另存为“CSV UTF-8”或 .xlsx 后再导入。", n=len(rows) + 1)
        raise ServiceError(message) from None


def _normal(header: str) -> str:
    return _HEADER_NOISE.sub("", header).lower()


def read_table(data: bytes, kind: ImportType) -> Table:
    """Rows keyed by column (``Column.key``); raises ServiceError for an unreadable file."""
    if not data:
        raise ServiceError(_("上传的文件是空的。"))
    if len(data) > MAX_BYTES:
        raise ServiceError(_("文件太大（最大 %(mb)d MB），请拆分后再导入。", mb=UPLOAD_MAX_MB))
    if data.startswith(_OLE_MAGIC):
        raise ServiceError(_("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入。"))
    for magic, name in _NOT_TABLES:
        if data.startswith(magic):
            raise ServiceError(_("这是一个 %(kind)s 文件（图片或文档），不是表格，即使改了文件名"
                                 "也无法导入。请选择 Excel (.xlsx) 或 CSV 文件。", kind=name))
    is_xlsx = data.startswith(b"PK\x03\x04")
    raw = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    raw = [(n, cells) for n, cells in raw if any(cells)]
    if not raw:
        raise ServiceError(_("文件中没有数据。"))
    (header_row, headers), body = raw[0], raw[1:]
    if len(body) > MAX_ROWS:
        raise ServiceError(_("一次最多导入 %(n)d 行，请拆分后再导入。", n=MAX_ROWS))
    lookup = {}
    for column in kind.columns:
        for name in (column.header, column.key, *column.aliases):
            lookup[_normal(name)] = column.key
    positions: dict[str, int] = {}
    table = Table()
    for index, header in enumerate(headers):
        key = lookup.get(_normal(header))
        if key is None:
            if header:
                table.ignored_headers.append(header)
        elif key in positions:
            raise ServiceError(_("第 %(r)d 行：列“%(h)s”重复。", r=header_row, h=header))
        else:
            positions[key] = index
    missing = [c.header for c in kind.columns if c.required and c.key not in positions]
    if missing:
        raise ServiceError(_("第 %(r)d 行（表头）缺少必填列：%(cols)s。请使用下载的模板。",
                             r=header_row, cols="、".join(missing)))
    seen: dict[tuple[str, ...], int] = {}
    for number, cells in body:
        values = {k: cells[i] if i < len(cells) else "" for k, i in positions.items()}
        table.rows.append(Row(number, values))
        same = tuple(values[k] for k in sorted(values))
        if same in seen:
            table.warnings.append(_("第 %(r)d 行与第 %(first)d 行完全相同，导入后会有两条一样的"
                                    "内容；如不需要，请删去一行后重新上传。",
                                    r=number, first=seen[same]))
        else:
            seen[same] = number
    if is_xlsx:
        try:
            cells = _uncached_formulas(data)
        except Exception:  # noqa: BLE001 - the values were read; this is only a warning
            cells = []
        if cells:
            table.warnings.append(_("单元格 %(cells)s 是公式，但文件里没有保存计算结果，会按空白"
                                    "导入。请在 Excel 中打开该文件、保存一次后再上传。",
                                    cells="、".join(cells)))
    return table

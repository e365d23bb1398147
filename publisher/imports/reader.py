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

from publisher.imports.schema import ImportType
from publisher.services.errors import ServiceError

MAX_BYTES = 5 * 1024 * 1024  # a township's roster or produce list is a few hundred rows
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
    except csv.Error as exc:
        raise ServiceError(_("CSV 文件格式错误：%(e)s", e=str(exc))) from None


def _normal(header: str) -> str:
    return _HEADER_NOISE.sub("", header).lower()


def read_table(data: bytes, kind: ImportType) -> Table:
    """Rows keyed by column (``Column.key``); raises ServiceError for an unreadable file."""
    if not data:
        raise ServiceError(_("上传的文件是空的。"))
    if len(data) > MAX_BYTES:
        raise ServiceError(_("文件太大（最大 5 MB），请拆分后再导入。"))
    if data.startswith(_OLE_MAGIC):
        raise ServiceError(_("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再导入。"))
    raw = _xlsx_rows(data) if data.startswith(b"PK\x03\x04") else _csv_rows(data)
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
    for number, cells in body:
        values = {k: cells[i] if i < len(cells) else "" for k, i in positions.items()}
        table.rows.append(Row(number, values))
    return table

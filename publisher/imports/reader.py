"""Reading an uploaded spreadsheet into numbered rows of text (pure: bytes in, rows out).

Accepts .xlsx, the old binary .xls and CSV. Excel on a Chinese Windows saves "CSV" in
GB18030 (GBK), newer versions in UTF-8 with a BOM; both are tried. The type is told from the
content, not the name, so a renamed file is still read right (or refused clearly).

Sheets as staff keep them rarely start with the header: a title ("××乡干部花名册") and a
date line often come first. The header is the row among the first few that names the most
template columns. A column the template does not know is never dropped quietly: if it holds
data, the preview asks what it is (one of the template's columns, or 不导入) before anything
can be imported.
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
    # Columns left out: headed but empty, or left out by the user's choice.
    ignored_headers: list[str] = field(default_factory=list)
    # Things imported as read but probably not what was meant (shown above the preview).
    warnings: list[str] = field(default_factory=list)
    header_row: int = 1
    titles: list[str] = field(default_factory=list)  # rows above the header, skipped
    # Columns holding data that match no template column and await the user's choice.
    unmapped: list[Unmapped] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required headers not found yet
    # Template columns the file's headers took, by the file's column position.
    taken: dict[int, str] = field(default_factory=dict)
    # Columns read under another name (an alias or the user's choice): (file's, template's).
    renamed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def settled(self) -> bool:
        """Every column with data has a place, and every required column was found."""
        return not self.unmapped and not self.missing


@dataclass(frozen=True)
class Unmapped:
    index: int  # 0-based column position in the file
    header: str  # as written ("" for data under no header)
    samples: tuple[str, ...]  # a few values, so the user can tell what the column is
    filled: int  # how many rows have a value in it

    @property
    def label(self) -> str:
        return self.header or _("第 %(c)s 列（无表头）", c=column_letter(self.index))


@dataclass(frozen=True)
class Sheet:
    """The file's non-empty rows as text, before any header is chosen (what a preview keeps)."""

    rows: list[tuple[int, list[str]]]
    formula_cells: list[str] = field(default_factory=list)


def column_letter(index: int) -> str:
    """Excel's name of the 0-based column ``index`` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


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


def _xls_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """The first sheet of an old binary .xls (Excel 97–2003), dates and numbers as text."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
        sheet = book.sheet_by_index(0)
    except Exception:  # xlrd raises many types for a damaged file or a Word document
        raise ServiceError(_("无法读取该 .xls 文件，文件可能已损坏或不是 Excel 表格，"
                             "请在 Excel 中另存为 .xlsx 后再试。")) from None
    rows = []
    try:
        for number in range(min(sheet.nrows, MAX_ROWS + 2)):
            cells = []
            for cell in sheet.row(number):
                value = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    value = bool(value)
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    value = ""
                cells.append(_cell(value))
            rows.append((number + 1, cells))
    finally:
        book.release_resources()
    return rows


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


HEADER_SCAN_ROWS = 10  # a title, a date line and a blank row or two come before the header
SAMPLES = 3


def read_sheet(data: bytes) -> Sheet:
    """The non-empty rows of the file's first sheet; raises ServiceError if unreadable."""
    if not data:
        raise ServiceError(_("上传的文件是空的。"))
    if len(data) > MAX_BYTES:
        raise ServiceError(_("文件太大（最大 %(mb)d MB），请拆分后再导入。", mb=UPLOAD_MAX_MB))
    for magic, name in _NOT_TABLES:
        if data.startswith(magic):
            raise ServiceError(_("这是一个 %(kind)s 文件（图片或文档），不是表格，即使改了文件名"
                                 "也无法导入。请选择 Excel (.xlsx/.xls) 或 CSV 文件。", kind=name))
    is_xlsx = data.startswith(b"PK\x03\x04")
    if data.startswith(_OLE_MAGIC):
        raw = _xls_rows(data)
    else:
        raw = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    rows = [(n, cells) for n, cells in raw if any(cells)]
    if not rows:
        raise ServiceError(_("文件中没有数据。"))
    formulas: list[str] = []
    if is_xlsx:
        try:
            formulas = _uncached_formulas(data)
        except Exception:  # noqa: BLE001 - the values were read; this is only a warning
            formulas = []
    return Sheet(rows, formulas)


def _lookup(kind: ImportType) -> dict[str, str]:
    lookup = {}
    for column in kind.columns:
        for name in (column.header, column.key, *column.aliases):
            lookup[_normal(name)] = column.key
    return lookup


def _header_index(rows: list[tuple[int, list[str]]], lookup: dict[str, str]) -> int:
    """The row (index into ``rows``) that names the most template columns; the first row if
    none names any (its missing required columns are then reported against it)."""
    best, best_known = 0, 0
    for index, (_number, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        known = len({lookup[_normal(c)] for c in cells if _normal(c) in lookup})
        if known > best_known:
            best, best_known = index, known
    return best


def table_from(sheet: Sheet, kind: ImportType, choices: dict[int, str] | None = None) -> Table:
    """Rows keyed by column (``Column.key``). ``choices`` places columns the headers did not:
    file column position → a template column's key, or "" to leave that column out."""
    choices = choices or {}
    lookup = _lookup(kind)
    at = _header_index(sheet.rows, lookup)
    (header_row, headers), body = sheet.rows[at], sheet.rows[at + 1:]
    if len(body) > MAX_ROWS:
        raise ServiceError(_("一次最多导入 %(n)d 行，请拆分后再导入。", n=MAX_ROWS))
    table = Table(header_row=header_row,
                  titles=["　".join(c for c in cells if c) for _n, cells in sheet.rows[:at]])
    width = max(len(cells) for _n, cells in sheet.rows[at:])
    headers = headers + [""] * (width - len(headers))
    positions: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = lookup.get(_normal(header)) if header else None
        if key is None:
            continue
        if key in positions:
            raise ServiceError(_("第 %(r)d 行：列“%(h)s”重复。", r=header_row, h=header))
        positions[key] = index
    known = {c.key for c in kind.columns}
    for index, header in enumerate(headers):
        if index in positions.values():
            continue
        values = [cells[index] for _n, cells in body if index < len(cells) and cells[index]]
        choice = choices.get(index)
        if choice in known and choice not in positions:
            positions[choice] = index
        elif choice == "" or (not values and header):
            if header or values:
                table.ignored_headers.append(header or _("第 %(c)s 列（无表头）",
                                                         c=column_letter(index)))
        elif values:
            table.unmapped.append(Unmapped(index, header, tuple(values[:SAMPLES]), len(values)))
    table.taken = {i: k for k, i in positions.items()}
    table.renamed = [(headers[i] or _("第 %(c)s 列（无表头）", c=column_letter(i)),
                      kind.header_of(k)) for k, i in sorted(positions.items(), key=lambda p: p[1])
                     if _normal(headers[i]) != _normal(kind.header_of(k))]
    table.missing = [c.header for c in kind.columns if c.required and c.key not in positions]
    if table.missing and not table.unmapped:
        raise ServiceError(_("第 %(r)d 行（表头）缺少必填列：%(cols)s。请使用下载的模板。",
                             r=header_row, cols="、".join(table.missing)))
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
    if sheet.formula_cells:
        table.warnings.append(_("单元格 %(cells)s 是公式，但文件里没有保存计算结果，会按空白"
                                "导入。请在 Excel 中打开该文件、保存一次后再上传。",
                                cells="、".join(sheet.formula_cells)))
    return table


def read_table(data: bytes, kind: ImportType, choices: dict[int, str] | None = None) -> Table:
    """Read ``data`` and place its columns (see ``table_from``); ServiceError if unreadable."""
    return table_from(read_sheet(data), kind, choices)

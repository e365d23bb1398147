"""As-run log export: what actually aired, as a CSV township staff open in Excel.

Pure formatting only; the rows themselves live in the database. The file is UTF-8 with a byte
order mark, because Excel on Chinese Windows otherwise reads UTF-8 as GBK and garbles the text.
Cells that Excel would run as a formula (=, +, -, @ first) are prefixed with an apostrophe:
titles are typed by staff and a CSV is not the place to execute them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from playlists.timeline import Slot
from playlists.timezones import DEFAULT_TIMEZONE, zone
from playlists.xmltv import CATEGORY_TITLES

BOM = "\ufeff"
HEADER = ("播出时间", "时长(秒)", "内容编号", "版本", "分类", "标题", "页码", "页面标识", "插播")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AsRunRow:
    """One aired page."""

    aired_at: datetime  # timezone-aware
    duration_s: float
    item_id: str
    version: int
    page_no: int
    page_count: int
    page_key: str
    category: str = ""
    title: str = ""
    interrupt: bool = False


def row_from_slot(slot: Slot, title: str = "") -> AsRunRow:
    """The as-run row for a slot that went to air."""
    return AsRunRow(
        aired_at=slot.start,
        duration_s=slot.duration_s,
        item_id=slot.item_id,
        version=slot.version,
        page_no=slot.page.page_no,
        page_count=slot.page.page_count,
        page_key=slot.page.key,
        category=slot.category,
        title=title,
        interrupt=slot.interrupt,
    )


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def format_row(row: AsRunRow, tz: ZoneInfo) -> list[str]:
    """The CSV cells of one row, with the time in channel time (``2026-11-22 06:00:00.00``)."""
    if row.aired_at.tzinfo is None:
        raise ValueError("aired_at must be timezone-aware")
    local = row.aired_at.astimezone(tz)
    return [
        local.strftime("%Y-%m-%d %H:%M:%S.") + f"{local.microsecond // 10_000:02d}",
        f"{row.duration_s:.2f}",
        _cell(row.item_id),
        str(row.version),
        _cell(CATEGORY_TITLES.get(row.category, row.category)),  # staff read 惠农政策, not policy
        _cell(row.title),
        f"第{row.page_no}/{row.page_count}页",  # bare "2/3" would become a date in Excel
        _cell(row.page_key),
        "是" if row.interrupt else "",
    ]


def asrun_csv(rows: Iterable[AsRunRow], timezone: str = DEFAULT_TIMEZONE) -> bytes:
    """The whole export: BOM, header, one line per row, CRLF line ends (as Excel writes)."""
    tz = zone(timezone)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(format_row(row, tz))
    return (BOM + buffer.getvalue()).encode("utf-8")

"""The as-run CSV export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from playlists.asrun import HEADER, AsRunRow, asrun_csv, format_row, row_from_slot
from playlists.plan import PlannedPage
from playlists.timeline import Slot

TZ = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


def read(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_slot_becomes_a_row_in_channel_time():
    page = PlannedPage("ab12cd", "p.png", "u.ts", 10.24, page_no=2, page_count=3)
    start = datetime(2026, 11, 21, 22, 0, 10, 240_000, tzinfo=UTC)  # 06:00:10.24 in Shanghai
    slot = Slot("policy:12", 4, "policy", page, start, 10.24, False)
    row = row_from_slot(slot, title="耕地地力保护补贴")
    assert row == AsRunRow(
        start, 10.24, "policy:12", 4, 2, 3, "ab12cd", "policy", "耕地地力保护补贴", False
    )
    assert format_row(row, TZ) == [
        "2026-11-22 06:00:10.24",
        "10.24",
        "policy:12",
        "4",
        "惠农政策",  # the category in Chinese, as staff call it
        "耕地地力保护补贴",
        "第2/3页",
        "ab12cd",
        "",
    ]


def test_csv_has_bom_header_crlf_and_chinese_text():
    aired = datetime(2026, 11, 22, 6, tzinfo=TZ)
    rows = [
        AsRunRow(aired, 10.24, "policy:12", 1, 1, 1, "k1", "policy", '惠农, "政策"\n第二行'),
        AsRunRow(
            aired + timedelta(seconds=10.24),
            20.48,
            "alert:1",
            2,
            1,
            2,
            "k2",
            "alert",
            "暴雨红色预警",
            True,
        ),
    ]
    data = asrun_csv(rows, "Asia/Shanghai")
    assert data.count(b"\r\n") >= 3
    table = read(data)
    assert table[0] == list(HEADER)
    assert table[1][5] == '惠农, "政策"\n第二行'  # quoted, not split
    assert table[2][:2] == ["2026-11-22 06:00:10.24", "20.48"]
    assert table[2][-1] == "是"
    assert len(table) == 3


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)"])
def test_cells_excel_would_evaluate_are_defused(title):
    row = AsRunRow(
        datetime(2026, 11, 22, tzinfo=TZ), 0.64, "notice:1", 1, 1, 1, "k", "notice", title
    )
    assert read(asrun_csv([row]))[1][5] == "'" + title


def test_naive_time_is_refused():
    row = AsRunRow(datetime(2026, 11, 22), 0.64, "notice:1", 1, 1, 1, "k")
    with pytest.raises(ValueError, match="timezone-aware"):
        format_row(row, TZ)


def test_no_rows_is_just_the_header():
    assert read(asrun_csv([])) == [list(HEADER)]

"""Table cells are short fields: they break at phrase edges, never at a cost in lines."""

from __future__ import annotations

from renderer.layout import Para, lay_out_lines
from renderer.table import lay_out_row


def _texts(row, column: int) -> list[str]:
    return [line.text for line in row.cells[column]]


def test_cells_break_lists_between_items_and_names_after_their_dot(fake):
    cells = [[Para("阿依古丽·买买提", "heading")], [Para("石门村、黄土坪村")]]
    row = lay_out_row(cells, [70, 80], fake, fake, 10, 5, 13)
    # 6 and 7 em wide once the padding is taken off.
    assert _texts(row, 0) == ["阿依古丽·", "买买提"]
    assert _texts(row, 1) == ["石门村、", "黄土坪村"]


def test_a_cell_takes_no_more_lines_than_filled_running_text(fake):
    text = "驻柳树湾村，负责民政、社会救助、养老服务，联系空巢老人和留守儿童"
    for width in range(40, 200, 10):
        row = lay_out_row([[Para(text)]], [width + 10], fake, fake, 10, 5, 13)
        assert len(row.cells[0]) <= len(lay_out_lines([Para(text)], fake, 10, width))


def _rows(*heights: int):
    from renderer.table import RowLayout

    return [RowLayout(cells=((),), height=h) for h in heights]


def test_rows_spread_evenly_over_the_pages_filling_needs():
    from renderer.table import balanced_pages, paginate_rows

    rows = _rows(*[10] * 9)
    assert [len(p) for p in paginate_rows(rows, [40], 10, 2)] == [4, 4, 1]
    assert [len(p) for p in balanced_pages(rows, [40], 10, 2)] == [3, 3, 3]


def test_balancing_never_adds_a_page_and_keeps_row_order():
    from renderer.table import balanced_pages, paginate_rows

    for heights in ([10, 30, 10, 20, 20, 10, 30], [25] * 7, [10, 10, 40, 10]):
        rows = _rows(*heights)
        plain = paginate_rows(rows, [40], 10, 2)
        even = balanced_pages(rows, [40], 10, 2)
        assert len(even) == len(plain)
        assert [r for p in even for r in p] == rows
        assert all(sum(r.height for r in p) <= 40 for p in even)

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

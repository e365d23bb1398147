"""The columns of each import type: headers as township staff write them (pure data).

A content kind's columns are its declaration's (:mod:`renderer.kinds`: each importable field
names its header, the aliases real sheets use, a note and an example); cadres and the duty
roster are not content kinds and keep their columns here.
"""

from __future__ import annotations

from dataclasses import dataclass

from renderer.declare import KindDeclaration
from renderer.kinds import KINDS


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    note: str = ""
    example: str = ""
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # a closed list: the template offers it as a drop-down


@dataclass(frozen=True)
class ImportType:
    name: str
    label: str
    description: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def header_of(self, key: str) -> str:
        found = [c.header for c in self.columns if c.key == key]
        return found[0] if found else ""


# Aliases are the headers township sheets really use (the seeds' rosters and ledgers).
_NAME = Column("name", "姓名", True, "干部姓名，最多 12 个字", "张明",
               ("干部姓名", "人员姓名", "名字"))
_PHONE = Column("phone", "手机号", False, "11 位手机号，用于短信报到；同名干部靠它区分",
                "13812345678", ("手机", "手机号码", "移动电话", "联系电话", "电话", "电话号码",
                                "联系方式"))
_POST = Column("post", "职务", False, "例如：党委副书记", "党委副书记",
               ("岗位", "现任职务", "职务职级"))
_VILLAGES = Column("villages", "包村", False, "所包的村（社区），多个用“、”分隔",
                   "张家村、李家沟村", ("包村村居", "联系村", "驻点村", "包联村", "包联村居",
                                     "挂点村", "包村情况"))
_DUTIES = Column("responsibilities", "分管工作", False, "分管的工作", "农业农村、乡村振兴",
                 ("分工", "工作职责", "分管领域", "负责工作", "工作分工"))
_SORT = Column("sort_order", "排序", False, "数字越小越靠前，默认 100", "10", ("序号",))

CADRES = ImportType(
    "cadres", "干部信息",
    "新增或更新干部：有手机号的按手机号匹配，没有的按姓名匹配，找不到则新增；"
    "已有干部的空白单元格不修改原内容。",
    (_NAME, _POST, _PHONE,
     Column("office_phone", "办公电话", False, "例如：0991-1234567", "0991-1234567",
            ("座机", "办公室电话")),
     _VILLAGES, _DUTIES, _SORT,
     Column("active", "在岗", False, "填“是”或“否”，默认“是”", "是", ("是否在岗",), ("是", "否"))),
)

ROSTER = ImportType(
    "roster", "干部分工",
    "更新已有干部的包村和分管工作（整体替换）；职务、排序填写了才更新。干部须先录入。",
    (_NAME, _PHONE, _POST, _VILLAGES, _DUTIES, _SORT),
)


def declared_columns(kind: KindDeclaration) -> tuple[Column, ...]:
    """The import columns of a content kind: its importable fields, in the form's order."""
    return tuple(Column(f.name, f.column.header, f.required, f.column.note, f.column.example,
                        f.column.aliases, f.choices) for f in kind.columns if f.column is not None)


PRODUCE = ImportType(
    "produce", KINDS["produce"].label,
    "每行新建一条农产品信息（草稿），导入后需提交审核才会播出。",
    declared_columns(KINDS["produce"]),
)

TYPES = {t.name: t for t in (CADRES, ROSTER, PRODUCE)}

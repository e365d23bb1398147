"""Importing a paper ledger (群众诉求登记台账) typed into a spreadsheet: its columns are the
declaration's (headers and the aliases real ledgers use), every row is checked by the same
``intake.clean_intake`` as the form and the API, and nothing is imported unless every row
passes (a half-imported ledger is worse than none). Imported requests keep their 受理日期
and text nobody: those residents were answered when they came."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from publisher.imports.reader import read_sheet, table_from
from publisher.imports.schema import ImportType, declared_columns
from publisher.models import Township, User
from publisher.requests import intake
from publisher.services.errors import FieldError, ServiceError
from renderer.kinds import declaration

LEDGER = ImportType("requests", declaration(intake.KIND).label,
                    "每行登记一条群众诉求（来源记为台账导入，不发短信）。",
                    declared_columns(declaration(intake.KIND)))
# Columns of a paper ledger (and of our own export) that an import leaves out: the row
# number, and how it was handled (an imported request starts again at 受理).
NOT_IMPORTED = ("序号", "编号", "承办人", "办理时限", "办理结果", "办结日期", "回访情况")
MAX_ERRORS = 50  # shown at once; a sheet with more is the wrong sheet


@dataclass
class ImportResult:
    imported: list[int] = field(default_factory=list)  # request ids
    errors: list[str] = field(default_factory=list)  # "第 3 行：…"


def import_ledger(data: bytes, township: Township, *, user: User, now: datetime) -> ImportResult:
    """Register every row; with any row refused, ``errors`` says which and the caller rolls
    the session back (nothing imported), else it commits."""
    sheet = read_sheet(data)
    table = table_from(sheet, LEDGER)
    skipped = {u.index: "" for u in table.unmapped if u.header in NOT_IMPORTED}
    if skipped:
        table = table_from(sheet, LEDGER, skipped)
    if table.unmapped:
        names = "、".join(u.label for u in table.unmapped)
        raise ServiceError(f"表格中有不认识的列：{names}。请按下方列名修改表头后再上传。")
    result = ImportResult()
    for row in table.rows:
        try:
            request = intake.intake(township, row.values, source="import", now=now, user=user)
        except ServiceError as exc:
            where = LEDGER.header_of(exc.field) if isinstance(exc, FieldError) else ""
            prefix = f"第 {row.number} 行" + (f"（{where}）" if where else "")
            result.errors.append(f"{prefix}：{exc}")
            if len(result.errors) >= MAX_ERRORS:
                break
            continue
        result.imported.append(request.id)
    if result.errors:
        result.imported = []
    return result

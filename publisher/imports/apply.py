"""Applying a checked import: all rows in one transaction, or none at all."""

from __future__ import annotations

from flask_babel import gettext as _

from publisher.extensions import db
from publisher.imports.checks import Preview
from publisher.models import Cadre, Township, User
from publisher.services import audit
from publisher.services import cadres as cadre_service
from publisher.services.content import create_item
from publisher.services.errors import ServiceError


def apply(preview: Preview, actor: User, township: Township, filename: str) -> int:
    """Apply every planned row of ``preview`` and commit once; returns the rows applied.

    Each row is only flushed (``commit=False``), so an error in any row, the last one
    included, rolls back every row before it: nothing is ever half-imported.
    """
    if not preview.ok:
        raise ServiceError(_("导入内容有错误，请修改后重新上传。"))
    kind = preview.kind
    try:
        for planned in preview.planned:
            if kind.name == "produce":
                create_item(actor, township, "produce", planned.fields, commit=False)
                continue
            cadre = db.session.get(Cadre, planned.target_id) if planned.target_id else None
            cadre_service.save_cadre(actor, township.id, planned.fields, cadre, commit=False)
        audit.record("import", actor=actor, township_id=township.id, target_type=kind.name,
                     summary=_("导入%(label)s %(n)d 行（%(f)s）", label=kind.label,
                               n=len(preview.planned), f=filename))
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return len(preview.planned)

"""Applying a checked import: all rows in one transaction, or none at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_babel import gettext as _

from publisher.extensions import db
from publisher.imports.checks import Preview
from publisher.models import Cadre, Township, User
from publisher.services import audit
from publisher.services import cadres as cadre_service
from publisher.services.content import create_item
from publisher.services.errors import ServiceError


@contextmanager
def one_transaction() -> Iterator[None]:
    """Run service calls that each commit as a single transaction.

    ``services.content.create_item`` commits after every item, which would leave half an
    import behind if row 40 of 80 failed. Inside this block the session's ``commit`` only
    flushes; the block commits once at the end, or rolls everything back. The override is
    on this request's own Session object, not the shared scoped-session proxy.
    """
    session = db.session()
    session.commit = session.flush  # type: ignore[method-assign]
    try:
        yield
    except BaseException:
        del session.commit
        session.rollback()
        raise
    del session.commit
    session.commit()


def apply(preview: Preview, actor: User, township: Township, filename: str) -> int:
    """Apply every planned row of ``preview``; returns the number of rows applied."""
    if not preview.ok:
        raise ServiceError(_("导入内容有错误，请修改后重新上传。"))
    kind = preview.kind
    with one_transaction():
        for planned in preview.planned:
            if kind.name == "produce":
                create_item(actor, township, "produce", planned.fields)
                continue
            cadre = db.session.get(Cadre, planned.target_id) if planned.target_id else None
            cadre_service.save_cadre(actor, township.id, planned.fields, cadre, commit=False)
        audit.record("import", actor=actor, township_id=township.id, target_type=kind.name,
                     summary=_("导入%(label)s %(n)d 行（%(f)s）", label=kind.label,
                               n=len(preview.planned), f=filename))
    return len(preview.planned)

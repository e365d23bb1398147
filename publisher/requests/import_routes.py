"""Uploading a paper ledger (``ledger_import``): township office staff only."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from publisher.extensions import db
from publisher.models import Role, utcnow
from publisher.people.common import done, roles_required, selected_township
from publisher.requests.blueprint import bp
from publisher.requests.ledger_import import LEDGER, import_ledger
from publisher.services.errors import ServiceError


@bp.route("/requests/import", methods=["GET", "POST"])
@roles_required(Role.EDITOR)
def import_ledger_page():  # noqa: ANN201
    township = selected_township()
    errors, status = [], 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            errors, status = [_("请选择要上传的台账文件。")], 400
        else:
            try:
                result = import_ledger(upload.read(), township, user=current_user, now=utcnow())
                errors = result.errors
                if not errors:
                    db.session.commit()
                    return done(_("已导入 %(n)s 条诉求。", n=len(result.imported)),
                                f"/requests/?township_id={township.id}")
                status = 400
            except ServiceError as exc:
                errors, status = [str(exc)], 400
            db.session.rollback()
    return render_template("requests/import.html", township=township, columns=LEDGER.columns,
                           errors=errors), status

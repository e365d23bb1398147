"""Import pages: templates to download, upload → preview with errors → confirm.

Between preview and confirm the uploaded sheet waits in a small JSON file under the data
directory (named by a random token, tied to the user), with the user's choices for columns
the template does not know; confirming reads and checks it again.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from publisher.extensions import db
from publisher.imports import apply as applying
from publisher.imports.checks import Preview, check
from publisher.imports.reader import Sheet, Table, read_sheet, table_from
from publisher.imports.schema import TYPES, ImportType
from publisher.imports.template import csv_template, xlsx_template
from publisher.models import Role, Township, utcnow
from publisher.people.common import done, roles_required, selected_township, townships
from publisher.services.errors import ServiceError
from publisher.services.whereabouts_board import local_now
from renderer.atomic import write_atomic

bp = Blueprint("imports", __name__, url_prefix="/imports")
editor_required = roles_required(Role.EDITOR)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,40}$")
PENDING_TTL_S = 24 * 3600  # an abandoned preview is cleaned up after a day
_GONE = _l("这份导入预览已经导入过，或已过期。请到“批量导入”查看结果，需要时重新上传文件。")
AFTER_IMPORT = {"cadres": "/cadres", "roster": "/cadres", "produce": "/content/produce"}


def _kind(name: str) -> ImportType:
    if name not in TYPES:
        abort(404)
    return TYPES[name]


def _pending_dir() -> Path:
    path = current_app.config["DATA_DIR"] / "imports"
    path.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in path.glob("*.json"):
        if now - old.stat().st_mtime > PENDING_TTL_S:
            old.unlink(missing_ok=True)
    return path


@bp.route("/")
@editor_required
def index():  # noqa: ANN201
    return render_template("people/imports/index.html", types=TYPES.values(),
                           township=selected_township(), townships=townships())


@bp.route("/<name>/template.<fmt>")
@editor_required
def template(name: str, fmt: str):  # noqa: ANN201
    kind = _kind(name)
    township = selected_township()
    if fmt == "xlsx":
        body = xlsx_template(kind, [v.name for v in township.villages])
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "csv":
        body, mime = csv_template(kind), "text/csv; charset=utf-8"
    else:
        abort(404)
    response = Response(body, mimetype=mime)
    # An ASCII name for old browsers, the Chinese one (RFC 5987) for the rest.
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{kind.name}-template.{fmt}"; '
        f"filename*=UTF-8''{quote(f'{kind.label}导入模板.{fmt}')}")
    return response


def _store(payload: dict[str, Any], token: str = "") -> str:
    token = token or secrets.token_urlsafe(18)
    path = _pending_dir() / f"{token}.json"
    write_atomic(path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    return token


def _sheet_of(payload: dict[str, Any]) -> Sheet:
    return Sheet([(n, cells) for n, cells in payload["sheet"]], payload.get("formulas", []))


def _choices_of(payload: dict[str, Any]) -> dict[int, str]:
    return {int(i): key for i, key in payload.get("choices", {}).items()}


def _preview(kind: ImportType, township: Township, table: Table, filename: str, token: str,
             *, message: str = ""):  # noqa: ANN202
    """The preview page. The confirm button shows only when every column with data has a
    place and every row passes; otherwise the page asks about the columns first."""
    today = local_now(township, utcnow()).date()
    # Rows cannot be checked before the required columns are found: the page asks first.
    preview = Preview(kind) if table.missing else check(kind, table, township, today)
    return render_template("people/imports/preview.html", kind=kind, preview=preview,
                           township=township, filename=filename, token=token, table=table,
                           ignored=table.ignored_headers, warnings=table.warnings,
                           confirm=preview.ok and table.settled,
                           message=message), 400 if message else 200


@bp.route("/<name>", methods=["POST"])
@editor_required
def upload(name: str):  # noqa: ANN201
    kind = _kind(name)
    township = selected_township()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _failed(kind, township, _("请选择要导入的文件（.xlsx、.xls 或 .csv）。"))
    try:
        sheet = read_sheet(upload.stream.read())
        table = table_from(sheet, kind)
    except ServiceError as exc:
        return _failed(kind, township, str(exc))
    token = _store({"kind": kind.name, "user_id": current_user.id, "township_id": township.id,
                    "filename": upload.filename, "sheet": sheet.rows,
                    "formulas": sheet.formula_cells, "choices": {}})
    return _preview(kind, township, table, upload.filename, token)


@bp.route("/<name>/columns", methods=["POST"])
@editor_required
def columns(name: str):  # noqa: ANN201
    """The user's choice for each column the template does not know, then the preview again."""
    kind = _kind(name)
    token = request.form.get("token", "")
    payload = _load_pending(token, kind)
    township = _township_of(payload)
    known = {c.key for c in kind.columns}
    choices = _choices_of(payload)
    for field, value in request.form.items():
        if field.startswith("col_") and field[4:].isdigit() and value in known | {"skip"}:
            choices[int(field[4:])] = "" if value == "skip" else value
    try:
        table = table_from(_sheet_of(payload), kind, choices)
    except ServiceError as exc:  # the file itself is at fault (a repeated header)
        return _failed(kind, township, str(exc))
    payload["choices"] = {str(i): key for i, key in choices.items()}
    _store(payload, token)
    return _preview(kind, township, table, payload["filename"], token)


def _failed(kind: ImportType, township: Township, message: str):  # noqa: ANN202
    return render_template("people/imports/index.html", types=TYPES.values(), township=township,
                           townships=townships(), failed=kind.name, message=message), 400


def _load_pending(token: str, kind: ImportType) -> dict[str, Any]:
    if not _TOKEN.match(token):
        abort(404)
    path = _pending_dir() / f"{token}.json"
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        abort(410, description=_GONE)  # expired or already imported
    if payload.get("user_id") != current_user.id or payload.get("kind") != kind.name:
        abort(404)
    return payload


def _township_of(payload: dict[str, Any]) -> Township:
    township = db.session.get(Township, payload["township_id"])
    if township is None or (not current_user.is_county_admin
                            and township.id != current_user.township_id):
        abort(404)
    return township


@bp.route("/<name>/commit", methods=["POST"])
@editor_required
def commit(name: str):  # noqa: ANN201
    kind = _kind(name)
    token = request.form.get("token", "")
    payload = _load_pending(token, kind)
    township = _township_of(payload)
    table = table_from(_sheet_of(payload), kind, _choices_of(payload))
    today = local_now(township, utcnow()).date()
    preview = check(kind, table, township, today)  # the database may have changed since
    if not (preview.ok and table.settled):
        return _preview(kind, township, table, payload["filename"], token,
                        message=_("还有问题没有解决，本次没有导入任何数据。"))
    # Claimed by a rename, which only one request can win: a double click or a second tab
    # confirming the same preview gets the 410 page, not a second copy of every row.
    pending = _pending_dir() / f"{token}.json"
    claimed = pending.with_suffix(".importing")
    try:
        pending.rename(claimed)
    except FileNotFoundError:
        abort(410, description=_GONE)
    try:
        count = applying.apply(preview, current_user, township, payload["filename"])
    except ServiceError as exc:
        db.session.rollback()
        claimed.rename(pending)
        return _preview(kind, township, table, payload["filename"], token, message=str(exc))
    except BaseException:
        claimed.rename(pending)
        raise
    claimed.unlink(missing_ok=True)
    return done(_("已导入 %(n)d 行%(label)s。", n=count, label=kind.label),
                f"{AFTER_IMPORT[kind.name]}?township_id={township.id}")

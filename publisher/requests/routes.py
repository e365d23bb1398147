"""The ledger's admin pages: the list with its filters, intake, a request's page with its
history, assignment, the steps, and the monthly export. Views check the form, call a
service, and redirect or render; bad input is answered in Chinese with a 400."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Cadre, Role, row_id, utcnow
from publisher.models.requests import RequestStatus, ResidentRequest
from publisher.people.common import (
    FormErrors,
    done,
    refused,
    roles_required,
    selected_township,
    townships,
)
from publisher.requests import access, forms, intake, ledger, rules, workflow
from publisher.requests.blueprint import bp
from publisher.services.errors import FieldError, ServiceError

STAFF = (Role.EDITOR, Role.REVIEWER, Role.CADRE)
PAGE = 50


def _request_or_404(request_id: int) -> ResidentRequest:
    row = db.session.get(ResidentRequest, request_id)
    if row is None or not access.can_read(current_user, row):
        abort(404)  # another township's: as if it did not exist
    return row


@bp.route("/requests/")
@roles_required(*STAFF)
def index():  # noqa: ANN201
    township = selected_township()
    now = utcnow()
    status = request.args.get("status", "")
    status = status if status in set(RequestStatus) else ""
    category = request.args.get("category", "")
    category = category if category in rules.DEADLINE_DAYS else ""
    overdue = request.args.get("overdue") == "1"
    page = max(1, min(request.args.get("page", 1, type=row_id) or 1, 10_000))
    stmt = ledger.query(township.id, status=status, category=category, overdue=overdue, now=now)
    stmt = access.readable(stmt, current_user)
    rows = list(db.session.scalars(stmt.limit(PAGE + 1).offset((page - 1) * PAGE)))
    return render_template(
        "requests/list.html", township=township, townships=townships(), rows=rows[:PAGE],
        more=len(rows) > PAGE, page=page, status=status, category=category, overdue=overdue,
        statuses=rules.STATUS_LABELS, categories=list(rules.DEADLINE_DAYS), now=now,
        rules=rules, contact=lambda r: access.contact(current_user, r),
        can_export=access.can_export(current_user, township.id),
        month=str(rules.Month.of(now, township.timezone)))


@bp.route("/requests/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new():  # noqa: ANN201
    township = selected_township()
    errors, values, status = FormErrors(), {}, 200
    if request.method == "POST":
        values = forms.submitted(request.form)
        try:
            forms.insist(values)
            row = intake.intake(township, values, source="admin", now=utcnow(),
                                user=current_user)
            db.session.commit()
            return done(_("已受理，编号 %(n)s。", n=row.id), f"/requests/{row.id}")
        except ServiceError as exc:
            db.session.rollback()
            errors.take(exc)
            status = 400
    return render_template("requests/form.html", township=township, errors=errors,
                           values=values, inputs=forms.inputs(township)), status


@bp.route("/requests/<int:request_id>")
@roles_required(*STAFF)
def detail(request_id: int):  # noqa: ANN201
    row = _request_or_404(request_id)
    now = utcnow()
    cadres = list(db.session.scalars(select(Cadre).where(
        Cadre.township_id == row.township_id, Cadre.active).order_by(Cadre.sort_order, Cadre.id)))
    name, phone = access.contact(current_user, row)
    return render_template(
        "requests/detail.html", row=row, name=name, phone=phone, cadres=cadres, rules=rules,
        villages=[v.name for v in row.township.villages],
        zone=row.township.timezone, overdue=rules.is_overdue(row.status, row.deadline, now),
        can_assign=access.can_assign(current_user, row.township_id),
        # From 受理 the one way on is 交办 (the assign form).
        steps=[s for s in rules.next_steps(row.status) if row.status != RequestStatus.ACCEPTED
               and access.can_step(current_user, row, s)],
        deadline_day=rules.local_day(row.deadline, row.township.timezone))


@bp.route("/requests/<int:request_id>/assign", methods=["POST"])
@roles_required(*STAFF)
def assign(request_id: int):  # noqa: ANN201
    row = _request_or_404(request_id)
    cadre = db.session.get(Cadre, request.form.get("cadre_id", type=row_id) or 0)

    def assign_it() -> None:
        workflow.assign(row, cadre, user=current_user, now=utcnow(),
                        deadline_day=_day(request.form.get("deadline", "")),
                        note=request.form.get("note", ""))

    return _decide(row, assign_it, lambda: _("已交办。"))


@bp.route("/requests/<int:request_id>/classify", methods=["POST"])
@roles_required(*STAFF)
def classify(request_id: int):  # noqa: ANN201
    row = _request_or_404(request_id)
    return _decide(row, lambda: workflow.classify(
        row, request.form.get("category", ""), request.form.get("village", ""),
        user=current_user, now=utcnow()), lambda: _("分类已保存。"))


@bp.route("/requests/<int:request_id>/step", methods=["POST"])
@roles_required(*STAFF)
def step(request_id: int):  # noqa: ANN201
    row = _request_or_404(request_id)
    return _decide(row, lambda: workflow.step(
        row, request.form.get("status", ""), user=current_user, now=utcnow(),
        note=request.form.get("note", ""), satisfaction=request.form.get("satisfaction", "")),
        lambda: _("已更新为“%(s)s”。", s=rules.status_label(row.status)))


def _decide(row: ResidentRequest, act: Callable[[], object], said: Callable[[], str]):  # noqa: ANN202
    """Run one workflow step on ``row`` and commit it, back to the request's page with
    ``said()`` (read after the step), or with the refusal in Chinese and nothing saved."""
    target = f"/requests/{row.id}"
    try:
        act()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        return refused(exc, target)
    return done(said(), target)


@bp.route("/requests/export")
@roles_required(Role.ADMIN)
def export():  # noqa: ANN201
    from publisher.requests.export import ledger_xlsx

    township = selected_township()
    if not access.can_export(current_user, township.id):
        abort(403)
    try:
        month = rules.Month.parse(request.args.get("month", ""))
    except rules.RuleError as exc:
        return render_template("error.html", code=400, message=str(exc)), 400
    name = f"requests-{township.id}-{month}.xlsx"
    return Response(ledger_xlsx(township, month), headers={
        "Content-Disposition": f'attachment; filename="{name}"'},
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _day(text: str) -> date | None:
    """A ``YYYY-MM-DD`` deadline typed by staff; empty = the category's."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise FieldError("deadline", "办理时限应为日期，例如 2026-05-01。") from None

"""Admin pages: the emergency overview, incidents with their log, unmatched SMS, tasks."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from publisher.clock import now
from publisher.emergency import crypto, engine, incidents, permissions, registry
from publisher.emergency.common import scoped_get
from publisher.emergency.forms import ResolveForm
from publisher.emergency.i18n import _
from publisher.emergency.labels import INCIDENT_STATES
from publisher.extensions import db
from publisher.models import SmsMessage, SmsStatus
from publisher.models.emergency import Device, DeviceTask, Household, Incident
from publisher.services import audit
from publisher.services.errors import ServiceError
from publisher.services.scope import scoped

from . import bp

PAGE = 50


def _incidents(*states: str, limit: int = PAGE) -> list[Incident]:
    query = scoped(select(Incident), current_user, Incident.township_id)
    if states:
        query = query.where(Incident.state.in_(states))
    return list(db.session.scalars(query.order_by(Incident.id.desc()).limit(limit)))


@bp.get("/")
@login_required
def index():  # noqa: ANN201
    tasks = db.session.scalars(scoped(select(DeviceTask), current_user, DeviceTask.township_id)
                               .where(DeviceTask.done_at.is_(None))).all()
    # "Every device was tested" is only true when there is a device to test.
    devices = db.session.scalar(
        scoped(select(func.count(Device.id)), current_user, Household.township_id)
        .join(Household, Device.household_id == Household.id).where(Device.active))
    return render_template("emergency/index.html", open_incidents=_incidents(*engine.OPEN),
                           recent=_incidents(limit=10), tasks=tasks, devices=devices)


@bp.get("/incidents")
@login_required
def incidents_list():  # noqa: ANN201
    state = request.args.get("state", "")
    rows = _incidents(state) if state in INCIDENT_STATES else _incidents(limit=200)
    return render_template("emergency/incidents.html", incidents=rows, states=INCIDENT_STATES,
                           state=state)


@bp.get("/incidents/<int:incident_id>")
@login_required
def incident(incident_id: int):  # noqa: ANN201
    row = scoped_get(Incident, incident_id)
    plan = engine.plan(engine.CallPlanSnapshot.from_json(row.call_plan_snapshot))
    allowed = {a for a in permissions.INCIDENT_ACTIONS
               if permissions.may_act(current_user, row, a)}
    return render_template("emergency/incident.html", incident=row, form=ResolveForm(),
                           plan=plan, location=_location(row), allowed_actions=allowed)


def _location(row: Incident) -> str:
    """Where the phone was (sent with consent): for the roles that see full records, and
    audited like a full view; "" for everyone else or when none was sent."""
    if not row.location_enc or not registry.can_see_sensitive(current_user):
        return ""
    if not permissions.may_see_village(current_user, row.household.village_id):
        return ""  # a cadre sees where the phone was only for their own villages
    audit.record("reveal", actor=current_user, township_id=row.township_id,
                 target_type="incident", target_id=row.id, summary="查看呼救位置")
    db.session.commit()
    return crypto.decrypt(row.location_enc)


@bp.post("/incidents/<int:incident_id>/<any(acknowledge, resolve, cancel):action>")
@login_required
def incident_action(incident_id: int, action: str):  # noqa: ANN201
    row = scoped_get(Incident, incident_id)
    if not permissions.may_act(current_user, row, action):
        abort(403)  # audited as a refusal (publisher.security.refusals)
    form = ResolveForm()
    if form.validate_on_submit():
        try:
            incidents.change_state(row, action, now=now(), by=current_user.display_name,
                                   actor=current_user, note=form.note.data or "")
        except ServiceError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash({"acknowledge": _("已确认接警。"), "resolve": _("已办结。"),
                   "cancel": _("已取消，并已通知已收到呼救的联系人。")}[action], "success")
    else:
        flash(_("表单无效，请重试。"), "error")
    return redirect(url_for("emergency.incident", incident_id=row.id))


@bp.get("/sms")
@login_required
def sms_unmatched():  # noqa: ANN201
    """Messages nobody could make sense of, kept raw for staff (numbers masked unless an
    allowed role asks for them in full, which is audited).

    Township staff see their township's messages and strangers' ones (no township yet: a
    villager texting from a new phone must not go unread); county admins see all.
    """
    show_all = request.args.get("all") == "1"
    query = select(SmsMessage).where(SmsMessage.direction == "in")
    if not current_user.is_county_admin:
        query = query.where(or_(SmsMessage.township_id == current_user.township_id,
                                SmsMessage.township_id.is_(None)))
    if not show_all:
        query = query.where(SmsMessage.status == SmsStatus.UNMATCHED)
    rows = db.session.scalars(query.order_by(SmsMessage.id.desc()).limit(200)).all()
    full = request.args.get("full") == "1" and registry.can_see_sensitive(current_user)
    numbers = registry.sms_numbers(current_user, [m.number for m in rows], full=full)
    return render_template("emergency/sms.html", rows=list(zip(rows, numbers, strict=True)),
                           show_all=show_all, full=full,
                           can_reveal=registry.can_see_sensitive(current_user))


@bp.get("/tasks")
@login_required
def tasks():  # noqa: ANN201
    rows = db.session.scalars(scoped(select(DeviceTask), current_user, DeviceTask.township_id)
                              .order_by(DeviceTask.done_at.is_not(None), DeviceTask.id.desc())
                              .limit(200)).all()
    return render_template("emergency/tasks.html", tasks=rows)


@bp.post("/tasks/<int:task_id>/done")
@login_required
def task_done(task_id: int):  # noqa: ANN201
    task = scoped_get(DeviceTask, task_id)
    if task.done_at is None:
        task.done_at, task.note = now(), f"{current_user.display_name}标记完成"
        db.session.commit()
    return redirect(url_for("emergency.tasks"))

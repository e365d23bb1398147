"""Admin pages: responders (and verifying their numbers) and call plans (呼救预案)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from publisher.clock import now
from publisher.emergency import crypto, registry, responders
from publisher.emergency.common import scoped_get, show_error, township_id
from publisher.emergency.forms import CallPlanForm, ResponderForm, choices
from publisher.emergency.i18n import _
from publisher.emergency.labels import RESPONDER_KINDS
from publisher.extensions import db
from publisher.models import Cadre
from publisher.models.emergency import CallPlan, Household, Responder
from publisher.services.errors import ServiceError
from publisher.services.scope import scoped

from . import bp


def _require_manager() -> None:
    if not registry.can_see_sensitive(current_user):
        abort(403)


@bp.get("/responders")
@login_required
def responders_list():  # noqa: ANN201
    rows = db.session.scalars(scoped(select(Responder), current_user, Responder.township_id)
                              .order_by(Responder.kind, Responder.name)).all()
    phones = {}
    for r in rows:
        number = r.cadre.phone if r.cadre else crypto.decrypt(r.phone_enc)
        phones[r.id] = crypto.mask_phone(number) if number else ""
    return render_template("emergency/responders.html", responders=rows, phones=phones,
                           can_manage=registry.can_see_sensitive(current_user))


def _responder_form(responder: Responder | None):  # noqa: ANN202
    _require_manager()
    form = ResponderForm(obj=responder) if request.method == "GET" else ResponderForm()
    cadres = db.session.scalars(scoped(select(Cadre), current_user, Cadre.township_id)
                                .order_by(Cadre.sort_order, Cadre.name))
    form.cadre_id.choices = choices([(0, "—")] + [(c.id, c.name) for c in cadres])
    homes = sorted(db.session.scalars(scoped(select(Household), current_user,
                                             Household.township_id)),
                   key=lambda h: h.name)  # names are encrypted: sorted here
    form.household_id.choices = choices([(0, "—")] + [(h.id, h.name) for h in homes])
    if request.method == "GET" and responder is not None:
        form.phone.data = responders.reveal_phone(current_user, responder)
        form.cadre_id.data = responder.cadre_id or 0
        form.household_id.data = responder.household_id or 0
    if form.validate_on_submit():
        data = responders.ResponderData(
            form.name.data, form.kind.data, form.phone.data or "", form.cadre_id.data or None,
            form.household_id.data or None, form.notes.data or "")
        target = responder.township_id if responder else township_id()
        try:
            responders.save_responder(current_user, target, data, responder)
        except ServiceError as exc:
            show_error(form, exc)
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("emergency.responders_list"))
    status = 400 if request.method == "POST" else 200
    return render_template("emergency/responder_form.html", form=form,
                           responder=responder), status


@bp.route("/responders/new", methods=["GET", "POST"])
@login_required
def responder_new():  # noqa: ANN201
    return _responder_form(None)


@bp.route("/responders/<int:responder_id>/edit", methods=["GET", "POST"])
@login_required
def responder_edit(responder_id: int):  # noqa: ANN201
    return _responder_form(scoped_get(Responder, responder_id))


@bp.post("/responders/<int:responder_id>/verify")
@login_required
def responder_verify(responder_id: int):  # noqa: ANN201
    responder = scoped_get(Responder, responder_id)
    try:
        if request.form.get("manual") == "1":
            responders.mark_verified(current_user, responder, now())
            flash(_("已标记为人工核实。"), "success")
        else:
            responders.start_verification(current_user, responder, now())
            flash(_("核实短信已发送，对方回复验证码后即完成核实。"), "success")
    except ServiceError as exc:
        flash(str(exc), "error")
    return redirect(url_for("emergency.responders_list"))


@bp.get("/policies")  # the address staff know; the audit log links to it
@login_required
def call_plans():  # noqa: ANN201
    rows = db.session.scalars(scoped(select(CallPlan), current_user,
                                     CallPlan.township_id).order_by(CallPlan.id))
    return render_template("emergency/call_plans.html", call_plans=list(rows),
                           can_manage=registry.can_see_sensitive(current_user))


def _call_plan_form(call_plan: CallPlan | None):  # noqa: ANN202
    _require_manager()
    form = CallPlanForm(obj=call_plan) if request.method == "GET" else CallPlanForm()
    people = db.session.scalars(scoped(select(Responder), current_user, Responder.township_id)
                                .where(Responder.active.is_(True)).order_by(Responder.name))
    people_choices = [(0, "—")] + [(r.id, f"{r.name}（{RESPONDER_KINDS.get(r.kind, r.kind)}）")
                                   for r in people]
    if request.method == "GET" and call_plan is not None:
        for entry, step in zip(form.steps, call_plan.steps, strict=False):
            entry.responder_id.data, entry.channels.data = step.responder_id, step.channels
            entry.wait_seconds.data = step.wait_seconds
            entry.fallback_id.data = step.fallback_responder_id or 0
    for entry in form.steps:
        entry.responder_id.choices = choices(people_choices)
        entry.fallback_id.choices = choices(people_choices)
    if form.validate_on_submit():
        steps = [responders.StepData(e.responder_id.data, tuple(e.channels.data.split(",")),
                                     e.wait_seconds.data or 0, e.fallback_id.data or None)
                 for e in form.steps if e.responder_id.data]
        target = call_plan.township_id if call_plan else township_id()
        try:
            responders.save_call_plan(
                current_user, target, form.name.data, steps,
                repeat_count=form.repeat_count.data or 0, final_phone=form.final_phone.data or "",
                final_instructions=form.final_instructions.data or "",
                is_default=form.is_default.data, call_plan=call_plan,
                reminder_minutes=(30 if form.reminder_minutes.data is None
                                  else form.reminder_minutes.data))
        except ServiceError as exc:
            show_error(form, exc)
        else:
            flash(_("已保存。新的呼救将使用修改后的预案。"), "success")
            return redirect(url_for("emergency.call_plans"))
    status = 400 if request.method == "POST" else 200
    return render_template("emergency/call_plan_form.html", form=form, call_plan=call_plan), status


@bp.route("/policies/new", methods=["GET", "POST"])
@login_required
def call_plan_new():  # noqa: ANN201
    return _call_plan_form(None)


@bp.route("/policies/<int:call_plan_id>/edit", methods=["GET", "POST"])
@login_required
def call_plan_edit(call_plan_id: int):  # noqa: ANN201
    return _call_plan_form(scoped_get(CallPlan, call_plan_id))

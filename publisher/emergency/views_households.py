"""Admin pages: the household registry, devices, the drill button."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from publisher.clock import now
from publisher.emergency import crypto, incidents, permissions, registry
from publisher.emergency.common import scoped_get, show_error, village_choices
from publisher.emergency.forms import DeviceForm, HouseholdForm, choices
from publisher.emergency.i18n import _
from publisher.extensions import db
from publisher.models import Village
from publisher.models.emergency import CallPlan, Household, Incident
from publisher.security import refusals
from publisher.services.errors import ServiceError
from publisher.services.scope import scoped

from . import bp


def _call_plan_choices() -> list[tuple[int, str]]:
    call_plans = db.session.scalars(scoped(select(CallPlan), current_user,
                                         CallPlan.township_id))
    return [(0, _("本乡镇默认预案"))] + [(p.id, p.name) for p in call_plans]


@bp.get("/households")
@login_required
def households():  # noqa: ANN201
    rows = db.session.scalars(scoped(select(Household), current_user, Household.township_id)
                              .order_by(Household.village_id, Household.id)).all()
    rows.sort(key=lambda h: (h.village_id, h.name))  # names are encrypted: sorted here
    phones = {h.id: [crypto.mask_phone(crypto.decrypt(p.number_enc)) for p in h.phones]
              for h in rows}
    return render_template("emergency/households.html", households=rows, phones=phones,
                           can_manage=registry.can_see_sensitive(current_user))


def _form_data(form: HouseholdForm) -> registry.HouseholdData:
    return registry.HouseholdData(
        village_id=form.village_id.data, kind=form.kind.data, name=form.name.data or "",
        address=form.address.data or "", notes=form.notes.data or "",
        medical_notes=form.medical_notes.data or "",
        call_plan_id=form.call_plan_id.data or None,
        phones=form.phone_pairs(), members=form.member_list())


def _edit(household: Household | None):  # noqa: ANN202
    form = HouseholdForm()
    form.village_id.choices = choices(village_choices())
    form.call_plan_id.choices = choices(_call_plan_choices())
    if request.method == "GET" and household is not None:
        full = registry.reveal(current_user, household, "edit")
        form.process(obj=household)
        form.call_plan_id.data = household.call_plan_id or 0
        form.phones.data = "\n".join(f"{p['label']} {p['number']}".strip()
                                     for p in full["phones"])
        form.members.data = "\n".join(
            " ".join((m["name"], m["relation"] or "-", str(m["birth_year"] or "-"),
                      m["id_number"])).strip()
            for m in full["members"])
        form.medical_notes.data = full["medical_notes"]
    if form.validate_on_submit():
        try:
            village = db.session.get(Village, form.village_id.data)
            target = household.township_id if household else (village.township_id if village
                                                              else current_user.township_id)
            saved = registry.save_household(current_user, target, _form_data(form), household)
        except ServiceError as exc:
            show_error(form, exc)
        else:
            flash(_("已保存。"), "success")
            return redirect(url_for("emergency.household", household_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template("emergency/household_form.html", form=form,
                           household=household), status


@bp.route("/households/new", methods=["GET", "POST"])
@login_required
def household_new():  # noqa: ANN201
    if not registry.can_see_sensitive(current_user):
        abort(403)
    return _edit(None)


@bp.route("/households/<int:household_id>/edit", methods=["GET", "POST"])
@login_required
def household_edit(household_id: int):  # noqa: ANN201
    household = scoped_get(Household, household_id)
    if not registry.can_see_sensitive(current_user) or not permissions.may_see_village(
            current_user, household.village_id):
        abort(403)  # a cadre edits only the households of their own villages
    return _edit(household)


def _household_page(household: Household, view: dict, device_form: DeviceForm | None = None,
                    status: int = 200):  # noqa: ANN202
    recent = db.session.scalars(select(Incident).where(Incident.household_id == household.id)
                                .order_by(Incident.id.desc()).limit(10)).all()
    return render_template("emergency/household.html", household=household, view=view,
                           incidents=recent, device_form=device_form or DeviceForm(),
                           can_manage=registry.can_see_sensitive(current_user)), status


@bp.get("/households/<int:household_id>")
@login_required
def household(household_id: int):  # noqa: ANN201
    household = scoped_get(Household, household_id)
    return _household_page(household, registry.household_view(household, full=False))


@bp.post("/households/<int:household_id>/reveal")
@login_required
def household_reveal(household_id: int):  # noqa: ANN201
    household = scoped_get(Household, household_id)
    try:
        view = registry.reveal(current_user, household, "view")
    except ServiceError as exc:
        refusals.note(str(exc), target_type="household", target_id=household.id,
                      township_id=household.township_id)  # audited as a refusal
        flash(str(exc), "error")
        return redirect(url_for("emergency.household", household_id=household.id))
    return _household_page(household, view)


@bp.post("/households/<int:household_id>/devices")
@login_required
def device_add(household_id: int):  # noqa: ANN201
    household = scoped_get(Household, household_id)
    form = DeviceForm()
    if form.validate_on_submit():
        try:
            device, token = registry.add_device(current_user, household,
                                                form.label.data or "",
                                                form.test_interval_hours.data, now())
        except ServiceError as exc:
            show_error(form, exc)
        else:
            # The token goes in a header, not the URL (URLs end up in access logs).
            trigger_url = url_for("emergency.trigger_press", _external=True)
            return render_template("emergency/device_token.html", household=household,
                                   device=device, trigger_url=trigger_url, token=token)
    return _household_page(household, registry.household_view(household, full=False),
                           form, 400)


@bp.post("/households/<int:household_id>/drill")
@login_required
def drill(household_id: int):  # noqa: ANN201
    household = scoped_get(Household, household_id)
    if not registry.can_see_sensitive(current_user) or not permissions.may_see_village(
            current_user, household.village_id):
        abort(403)  # a drill texts the responders: cadres only in their own villages
    try:
        result = incidents.trigger(household, source="drill", now=now(), actor=current_user,
                                   is_drill=True)
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("emergency.household", household_id=household.id))
    flash(_("演练已开始：联系人将按预案收到标有“演练”的通知。"), "success")
    return redirect(url_for("emergency.incident", incident_id=result.incident_id))

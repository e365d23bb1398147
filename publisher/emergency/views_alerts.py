"""Admin pages: public alerts on air (issue, withdraw), CAP upload and CAP sources."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from playlists.timezones import local_to_utc, zone
from publisher.clock import now
from publisher.emergency import alerts
from publisher.emergency.cap import CapError
from publisher.emergency.common import scoped_get, show_error, township_id, township_zone
from publisher.emergency.forms import AlertForm, CapSourceForm, CapUploadForm
from publisher.emergency.i18n import _
from publisher.emergency.labels import label
from publisher.extensions import db
from publisher.models import ContentItem, Kind, Township
from publisher.models.emergency import CapMessage, CapSource
from publisher.security.outbound import FetchRefused, check_url
from publisher.services import audit
from publisher.services.errors import ServiceError
from publisher.services.scope import scoped

from . import bp

# The colour levels' own colours, for the badge on the alerts page.
LEVEL_CSS = {"红": "#c62828", "橙": "#ef6c00", "黄": "#fdd835", "蓝": "#1565c0"}


def _page(form: AlertForm | None = None, upload: CapUploadForm | None = None,
          source_form: CapSourceForm | None = None, status: int = 200):  # noqa: ANN202
    items = db.session.scalars(scoped(select(ContentItem), current_user,
                                      ContentItem.township_id)
                               .where(ContentItem.kind == Kind.ALERT)
                               .order_by(ContentItem.id.desc()).limit(50)).all()
    caps = db.session.scalars(scoped(select(CapMessage), current_user, CapMessage.township_id)
                              .order_by(CapMessage.id.desc()).limit(30)).all()
    sources = db.session.scalars(scoped(select(CapSource), current_user, CapSource.township_id)
                                 .order_by(CapSource.id)).all()
    return render_template(
        "emergency/alerts.html", items=items, caps=caps, sources=sources, now=now(),
        form=form or AlertForm(), upload=upload or CapUploadForm(),
        source_form=source_form or CapSourceForm(),
        can_issue=alerts.can_issue(current_user), alert_colour=alerts.alert_colour,
        can_manage_sources=alerts.can_manage_sources(current_user),
        level_css=LEVEL_CSS), status


@bp.get("/alerts")
@login_required
def alerts_page():  # noqa: ANN201
    return _page()


@bp.post("/alerts")
@login_required
def alert_issue():  # noqa: ANN201
    if not alerts.can_issue(current_user):
        abort(403)
    form = AlertForm()
    if not form.validate_on_submit():
        return _page(form=form, status=400)
    township = db.session.get(Township, township_id())
    expires = local_to_utc(form.expires.data, zone(township_zone()))  # as the page shows
    try:
        alerts.issue_alert(current_user, township, title=form.title.data, body=form.body.data,
                           severity=form.severity.data, issued_by=form.issued_by.data,
                           expires=expires, now=now(), is_exercise=form.is_exercise.data)
    except ServiceError as exc:
        show_error(form, exc)
        return _page(form=form, status=400)
    flash(_("演练通知已保存（不会播出）。") if form.is_exercise.data
          else _("紧急通知已发布，将在几秒内插播。"), "success")
    return redirect(url_for("emergency.alerts_page"))


@bp.post("/alerts/<int:item_id>/withdraw")
@login_required
def alert_withdraw(item_id: int):  # noqa: ANN201
    item = scoped_get(ContentItem, item_id)
    try:
        alerts.withdraw_alert(current_user, item, now(), "人工解除")
    except ServiceError as exc:
        flash(str(exc), "error")
    else:
        flash(_("已解除，频道将恢复正常节目。"), "success")
    return redirect(url_for("emergency.alerts_page"))


@bp.post("/alerts/cap")
@login_required
def cap_upload():  # noqa: ANN201
    upload = CapUploadForm()
    if not alerts.can_issue(current_user):
        abort(403)
    if not upload.validate_on_submit() or not upload.file.data:
        flash(_("请选择 CAP 文件。"), "error")
        return _page(upload=upload, status=400)
    data = upload.file.data.read(1024 * 1024)
    township = db.session.get(Township, township_id())
    try:
        result = alerts.ingest_cap(township, data, now(), actor=current_user)
    except (CapError, ServiceError) as exc:
        db.session.rollback()
        flash(_("CAP 文件无法导入：%(reason)s", reason=str(exc)), "error")
        return _page(upload=upload, status=400)
    flash(f"{label('cap_outcome', result['outcome'])}：{result['detail']}",
          "success" if result["outcome"] in ("aired", "updated", "cancelled") else "info")
    return redirect(url_for("emergency.alerts_page"))


@bp.post("/alerts/sources")
@login_required
def cap_source_add():  # noqa: ANN201
    """A URL the clock will fetch: administrators only, and never into the internal network
    unless the operator allowed it (publisher.security.outbound)."""
    if not alerts.can_manage_sources(current_user):
        abort(403)
    form = CapSourceForm()
    if not form.validate_on_submit():
        return _page(source_form=form, status=400)
    try:
        url = check_url(form.url.data, alerts.outbound_allow())
    except FetchRefused as exc:
        form.url.errors = [*form.url.errors, str(exc)]
        return _page(source_form=form, status=400)
    source = CapSource(township_id=township_id(), url=url,
                       area_names=form.area_names.data or "", geocodes=form.geocodes.data or "",
                       interval_seconds=form.interval_seconds.data)
    db.session.add(source)
    db.session.flush()
    audit.record("create", actor=current_user, township_id=source.township_id,
                 target_type="cap_source", target_id=source.id, summary=source.url[:200])
    db.session.commit()
    flash(_("已添加，时钟进程将按间隔轮询。"), "success")
    return redirect(url_for("emergency.alerts_page"))


@bp.post("/alerts/sources/<int:source_id>/delete")
@login_required
def cap_source_delete(source_id: int):  # noqa: ANN201
    if not alerts.can_manage_sources(current_user):
        abort(403)
    source = scoped_get(CapSource, source_id)
    audit.record("delete", actor=current_user, township_id=source.township_id,
                 target_type="cap_source", target_id=source.id, summary=source.url[:200])
    db.session.delete(source)
    db.session.commit()
    flash(_("已删除该订阅，不再轮询。"), "success")
    return redirect(url_for("emergency.alerts_page"))

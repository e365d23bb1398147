"""Public alerts on air: staff-issued notices and ingested CAP 1.2 / GB/T 35965.1 alerts.

A public alert is a ContentItem of kind ``alert`` created *approved* (an authorised role
skips the review queue; it is audited like an approval) with ``valid_until`` = expiry;
the render job promotes it and the plan builder airs it as an interrupt. Cancelling
withdraws it. Exercises are stored with ``is_exercise=True`` and never air.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from publisher.emergency import cap, gbt35965
from publisher.emergency.facts import local
from publisher.emergency.i18n import _
from publisher.emergency.labels import source_label
from publisher.extensions import db
from publisher.models import ContentItem, Kind, Role, Township, User
from publisher.models.emergency import CapMessage, CapSource
from publisher.security.outbound import AllowList, FetchRefused, fetch
from publisher.services import audit, content
from publisher.services.clock_wake import wake_clock
from publisher.services.errors import FieldError, NotAllowed, ServiceError
from publisher.services.scope import ensure_township

log = logging.getLogger(__name__)
DEFAULT_LIFETIME = timedelta(hours=6)  # a CAP alert without <expires> still ends
MAX_LIFETIME = timedelta(days=7)


def can_issue(user: User) -> bool:
    return user.can(Role.REVIEWER)


def issue_alert(actor: User | None, township: Township, *, title: str, body: str,
                severity: str, issued_by: str, expires: datetime, now: datetime,
                is_exercise: bool = False, valid_from: datetime | None = None,
                source: str = "staff", commit: bool = True) -> ContentItem:
    """Create an approved alert item (goes on air once rendered). Commits unless told not to."""
    if actor is not None:
        ensure_township(actor, township.id)
        if not can_issue(actor):
            raise NotAllowed(_("只有管理员或分管领导可以直接发布紧急通知。"))
    if expires <= now:
        raise FieldError("expires", _("失效时间必须晚于现在。"))
    if expires - now > MAX_LIFETIME:
        raise FieldError("expires", _("紧急通知最长有效 7 天。"))
    how = source_label("alert_source", source)  # stored: in the source language
    return content.issue_alert(actor, township, {
        "title": title.strip(), "body": body.strip(), "severity": severity.strip()[:10],
        "issued_by": issued_by.strip()[:40],
        "expires": f"{local(township, expires):%m月%d日 %H:%M}",
    }, now=now, valid_from=valid_from, valid_until=expires, is_exercise=is_exercise, how=how,
        commit=commit)


def withdraw_alert(actor: User | None, item: ContentItem, now: datetime, reason: str, *,
                   commit: bool = True) -> bool:
    """Take an alert off air (the channel returns to its schedule). False if already off."""
    if actor is not None:
        ensure_township(actor, item.township_id)
        if not can_issue(actor):
            raise NotAllowed(_("只有管理员或分管领导可以解除紧急通知。"))
    if item.kind != Kind.ALERT:
        raise ServiceError(_("只能解除紧急通知。"))
    if item.withdrawn_at is not None:
        return False
    item.withdrawn_at, item.withdrawn_by_id = now, actor.id if actor else None
    audit.record("withdraw", actor=actor, township_id=item.township_id,
                 target_type=Kind.ALERT, target_id=item.id,
                 summary=f"{item.latest.title}：{reason}"[:300])
    if commit:
        db.session.commit()
        wake_clock()
    return True


def _areas(township: Township) -> tuple[tuple[str, ...], tuple[str, ...]]:
    names = {township.name}
    if township.county:
        names.add(township.county)
    codes: set[str] = set()
    for source in db.session.scalars(select(CapSource).where(
            CapSource.township_id == township.id)):
        names.update(n.strip() for n in source.area_names.split(",") if n.strip())
        codes.update(c.strip() for c in source.geocodes.split(",") if c.strip())
    return tuple(sorted(names)), tuple(sorted(codes))


def _record(township: Township, alert: cap.CapAlert, raw: str, outcome: str, detail: str,
            now: datetime, item: ContentItem | None = None) -> CapMessage:
    message = CapMessage(
        township_id=township.id, sender=alert.sender[:200], identifier=alert.identifier[:200],
        sent=alert.sent, status=alert.status, msg_type=alert.msg_type,
        references=" ".join(f"{r.sender},{r.identifier}" for r in alert.references),
        content_item_id=item.id if item else None, outcome=outcome, detail=detail[:300],
        raw=raw[:200_000], received_at=now)
    db.session.add(message)
    return message


def _referenced(township: Township, alert: cap.CapAlert) -> list[CapMessage]:
    """The messages received earlier that ``alert`` references (a bare GB/T identifier
    matches any sender)."""
    rows = []
    for ref in alert.references:
        query = select(CapMessage).where(CapMessage.township_id == township.id,
                                         CapMessage.identifier == ref.identifier[:200])
        if ref.sender:
            query = query.where(CapMessage.sender == ref.sender[:200])
        rows.extend(db.session.scalars(query.order_by(CapMessage.id)))
    return rows


def severity_label(info: cap.Info) -> str:
    """What the slide and the alerts page show as the level: "橙色预警" for a colour level,
    else CAP's severity in Chinese."""
    if info.colour:
        return f"{info.colour}色预警"
    return cap.SEVERITIES.get(info.severity, "")


def alert_colour(severity: str) -> str:
    """The colour level (红/橙/黄/蓝) a stored severity names, else "" (for the page)."""
    return next((c for c in gbt35965.COLOURS if f"{c}色" in (severity or "")), "")


def ingest_cap(township: Township, data: bytes, now: datetime,
               actor: User | None = None) -> dict[str, Any]:
    """Parse and act on one CAP message. Raises CapError (nothing changed) if malformed.

    Everything it does (withdrawing, issuing, recording the message) is one transaction,
    so the same message arriving twice at once (a poll and an upload) airs once, and an
    error half-way leaves the channel as it was.

    Returns {"outcome", "detail", "item_id"}; outcomes: aired, exercise, updated,
    cancelled, duplicate, ignored. A Cancel referencing nothing received raises CapError.
    """
    if actor is not None:
        ensure_township(actor, township.id)
        if not can_issue(actor):
            raise NotAllowed(_("只有管理员或分管领导可以导入 CAP 预警。"))
    alert = gbt35965.parse_alert(data)
    raw = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    known = db.session.scalar(select(CapMessage.id).where(
        CapMessage.township_id == township.id, CapMessage.sender == alert.sender[:200],
        CapMessage.identifier == alert.identifier[:200]))
    if known is not None:
        return {"outcome": "duplicate", "detail": "该预警已导入过。", "item_id": None}
    try:
        outcome, detail, item = _act(township, alert, now, actor)
        _record(township, alert, raw, outcome, detail, now, item)
        db.session.commit()
        if outcome in ("aired", "updated", "cancelled"):
            wake_clock()  # an interrupt starts or ends at the next page boundary
    except IntegrityError:
        db.session.rollback()  # recorded meanwhile by another poll or upload
        return {"outcome": "duplicate", "detail": "该预警已导入过。", "item_id": None}
    except Exception:
        db.session.rollback()
        raise
    return {"outcome": outcome, "detail": detail, "item_id": item.id if item else None}


def _act(township: Township, alert: cap.CapAlert, now: datetime, actor: User | None
         ) -> tuple[str, str, ContentItem | None]:
    if alert.status not in ("Actual", "Exercise"):
        return "ignored", f"status={alert.status}，不播出。", None
    if alert.scope != "Public":  # Restricted / Private are not for a public channel
        return "ignored", f"scope={alert.scope}，不是公开预警，不播出。", None
    if alert.msg_type in ("Ack", "Error"):
        return "ignored", f"msgType={alert.msg_type}，无需处理。", None
    exercise = alert.status == "Exercise"
    if alert.msg_type in ("Update", "Cancel"):
        referenced = _referenced(township, alert)
        if alert.msg_type == "Cancel" and not referenced:
            names = "、".join(r.identifier for r in alert.references)[:120]
            raise cap.CapError(f"解除失败：所引用的预警（{names}）本频道从未收到，未做任何更改。"
                               "请核对解除消息引用的预警编号。")
        withdrawn = 0
        for row in referenced:
            old = db.session.get(ContentItem, row.content_item_id) if row.content_item_id else None
            if old is not None and old.is_exercise == exercise and withdraw_alert(
                    None, old, now, f"{alert.format} {alert.msg_type} {alert.identifier}",
                    commit=False):
                withdrawn += 1
        if alert.msg_type == "Cancel":
            if withdrawn:
                return "cancelled", f"已解除所引用的 {withdrawn} 条预警，频道恢复正常节目。", None
            return "ignored", "所引用的预警未在播出（未播出、已解除或已过期），无需解除。", None
    info = alert.info()
    if info is None:
        return "ignored", "预警没有 <info> 内容。", None
    names, codes = _areas(township)
    if not cap.area_matches(alert, names, codes):
        return "ignored", "预警区域不包含本频道所在地区。", None
    expires = info.expires or (info.effective or alert.sent) + DEFAULT_LIFETIME
    if expires <= now:
        return "ignored", "预警已过期。", None
    item = issue_alert(
        None, township, title=(info.headline or info.event)[:60],
        body="\n".join(x for x in (info.description, info.instruction) if x),
        severity=severity_label(info), issued_by=info.sender_name or alert.sender,
        expires=min(expires, now + MAX_LIFETIME - timedelta(minutes=1)), now=now,
        is_exercise=exercise, valid_from=info.effective if info.effective and
        info.effective > now else None, source="CAP", commit=False)
    if actor is not None:
        audit.record("import", actor=actor, township_id=township.id, target_type="cap",
                     target_id=item.id, summary=f"导入 {alert.format} 预警 {alert.identifier}")
    return ("updated" if alert.msg_type == "Update" else
            "exercise" if exercise else "aired"), (
                "演练已记录，不会在频道播出。" if exercise else "已发布到频道。"), item


def can_manage_sources(user: User) -> bool:
    """CAP sources make the server fetch a URL: only administrators set them (SSRF)."""
    return user.role == Role.ADMIN


def outbound_allow() -> AllowList:
    """The hosts and networks an operator allowed although internal (``OUTBOUND_ALLOW``)."""
    return AllowList.parse(current_app.config.get("OUTBOUND_ALLOW", ""))


# What staff read on the alerts page when a poll fails: a reason, never the body received
# or an internal error's text (issue 11: the page must not help probe the network).
NOT_CAP = "获取成功，但内容不是有效的 CAP/XML 预警文件，未做任何更改。"
TOO_BIG = "获取成功，但文件过大，未导入。"
FAILED = "导入时出错，请稍后再试。"


def poll_sources(now: datetime, timeout: float = 10) -> int:
    """Fetch every enabled CAP source that is due; returns how many were fetched."""
    fetched = 0
    allow = outbound_allow()
    for source in db.session.scalars(select(CapSource).where(CapSource.enabled.is_(True))).all():
        if source.last_polled_at and now - source.last_polled_at < timedelta(
                seconds=source.interval_seconds):
            continue
        source.last_polled_at, source.last_error = now, ""
        try:
            data = fetch(source.url, allow, max_bytes=cap.MAX_BYTES, timeout=timeout)
            if len(data) > cap.MAX_BYTES:
                raise FetchRefused(TOO_BIG)
            township = db.session.get(Township, source.township_id)
            ingest_cap(township, data, now)
        except (OSError, cap.CapError, ServiceError) as exc:
            db.session.rollback()
            if isinstance(exc, cap.CapError):
                log.info("CAP source %s: not a usable alert: %s", source.id, exc)
            source = db.session.get(CapSource, source.id)
            reason = (NOT_CAP if isinstance(exc, cap.CapError)
                      else str(exc) if isinstance(exc, FetchRefused | ServiceError)
                      else FAILED)
            source.last_polled_at, source.last_error = now, reason[:300]
        db.session.commit()
        fetched += 1
    return fetched

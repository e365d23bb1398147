"""The review workflow: draft → pending → approved / rejected, withdraw, versions.

Editing approved content creates a new version that goes to review while the approved
version stays on air. Every step is audited in the same transaction as the change.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update

from publisher.extensions import db
from publisher.models import (
    ContentItem,
    ContentVersion,
    Kind,
    RenderState,
    Role,
    Township,
    User,
    VersionState,
    utcnow,
)
from publisher.services import audit
from publisher.services.clock_wake import wake_clock
from publisher.services.content_checks import (  # noqa: F401  (doors reach them from here)
    IMPORTANT,
    NORMAL,
    PINNED,
    PRIORITIES,
    check_priority,
    check_window,
    title_of,
    validate,
)
from publisher.services.errors import Conflict, NotAllowed, ServiceError
from publisher.services.jobs import enqueue
from publisher.services.scope import ensure_township

EDITABLE_STATES = (VersionState.DRAFT, VersionState.REJECTED, VersionState.PENDING)


def _snapshot(version: ContentVersion) -> dict[str, Any]:
    return {
        "title": version.title,
        "data": version.data,
        "valid_from": version.valid_from.isoformat() if version.valid_from else None,
        "valid_until": version.valid_until.isoformat() if version.valid_until else None,
        "priority": version.priority,
        "state": version.state,
    }


def edit_base(item: ContentItem) -> str:
    """A token for the item's latest version as an editor sees it now; an edit form carries
    it so that a save made on top of someone else's newer one is refused, not lost."""
    latest = item.latest
    seen = json.dumps([latest.number, _snapshot(latest)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(seen.encode()).hexdigest()[:20]


def _hold(item: ContentItem) -> None:
    """Hold ``item`` for this transaction: someone saving, submitting, approving or
    withdrawing it at the same moment waits here until this change commits, then reads the
    item and its versions as it left them.

    An UPDATE rather than SELECT ... FOR UPDATE: it row-locks on PostgreSQL, and on SQLite
    (no row locks) it takes the write lock first thing, waiting out the other writer,
    before anything is read (a read first would make the later write fail there).
    """
    db.session.execute(update(ContentItem).where(ContentItem.id == item.id)
                       .values(id=ContentItem.id)
                       .execution_options(synchronize_session=False))
    for version in item.versions:
        db.session.expire(version)
    db.session.expire(item)


def create_item(
    actor: User,
    township: Township,
    kind: str,
    data: dict[str, Any],
    *,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    priority: int = NORMAL,
    commit: bool = True,
) -> ContentItem:
    """A new item with version 1 as a draft.

    With ``commit=False`` the item is only flushed: the bulk import creates every row in
    one transaction and commits once.
    """
    ensure_township(actor, township.id)
    if not actor.can(Role.EDITOR):
        raise NotAllowed(_("只有编辑可以新建内容。"))
    payload = validate(kind, data)
    check_window(valid_from, valid_until)
    priority = check_priority(priority)
    item = ContentItem(township_id=township.id, kind=kind, created_by_id=actor.id)
    version = ContentVersion(
        item=item,
        number=1,
        title=title_of(kind, payload),
        data=payload,
        valid_from=valid_from,
        valid_until=valid_until,
        priority=priority,
        author_id=actor.id,
    )
    db.session.add_all([item, version])
    db.session.flush()
    audit.record(
        "create",
        actor=actor,
        township_id=township.id,
        target_type=kind,
        target_id=item.id,
        summary=version.title,
        after=_snapshot(version),
    )
    if commit:
        db.session.commit()
    return item


def issue_alert(
    actor: User | None,
    township: Township,
    data: dict[str, Any],
    *,
    now: datetime,
    valid_until: datetime,
    valid_from: datetime | None = None,
    is_exercise: bool = False,
    how: str,
    commit: bool = True,
) -> ContentItem:
    """A public alert: a new item whose version 1 is approved at once (it goes on air once
    rendered, as an interrupt).

    The one kind that skips the review queue: the caller (``publisher.emergency.alerts``)
    has checked that ``actor`` may issue alerts, or ``actor`` is None for an ingested CAP
    alert. ``data`` is validated like every door's; ``how`` says where the alert came from
    (in the stored language) for the review note and the audit log. With ``commit=False``
    the item is only flushed: CAP ingestion records its message in the same transaction.
    """
    if actor is not None:
        ensure_township(actor, township.id)
    payload = validate(Kind.ALERT, data)
    check_window(valid_from, valid_until)
    by = actor.id if actor else None
    item = ContentItem(township_id=township.id, kind=Kind.ALERT, is_exercise=is_exercise,
                       created_by_id=by, created_at=now)
    version = ContentVersion(
        item=item, number=1, title=title_of(Kind.ALERT, payload), data=payload,
        valid_from=valid_from, valid_until=valid_until, state=VersionState.APPROVED,
        author_id=by, created_at=now, submitted_at=now, reviewed_by_id=by, reviewed_at=now,
        review_note=f"紧急通知直接发布（{how}）", render_state=RenderState.QUEUED)
    db.session.add_all([item, version])
    db.session.flush()
    audit.record("alert", actor=actor, township_id=township.id, target_type=Kind.ALERT,
                 target_id=item.id,
                 summary=f"{'【演练】' if is_exercise else ''}{version.title}（{how}）",
                 after={"severity": payload.get("severity", ""),
                        "expires": valid_until.isoformat(), "is_exercise": is_exercise})
    if commit:
        db.session.commit()
        wake_clock()  # an interrupt: planned at the next page boundary, not the next tick
    return item


def edit_item(
    actor: User,
    item: ContentItem,
    data: dict[str, Any],
    *,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    priority: int | None = None,
    base: str | None = None,
) -> ContentVersion:
    """Change an item. An approved version is never changed: a new draft is made.

    ``priority`` None keeps the latest version's (an API client may not send it).
    ``base`` is :func:`edit_base` as the editor's form showed it; when another save came
    in between, :class:`Conflict` is raised and nothing changes. Saves of one item at the
    same moment take turns.
    """
    ensure_township(actor, item.township_id)
    if not actor.can(Role.EDITOR):
        raise NotAllowed(_("只有编辑可以修改内容。"))
    _hold(item)
    if item.withdrawn_at is not None:
        raise ServiceError(_("该内容已撤回，不能再修改。"))
    if base is not None and base != edit_base(item):
        raise Conflict(_("这条内容在您编辑期间已被他人修改（现在是 v%(n)s）。您填写的内容保留在"
                         "下面，请先在版本记录里看看改了什么；确认后再次保存，将以您的内容为准。",
                         n=item.latest.number))
    payload = validate(item.kind, data)
    check_window(valid_from, valid_until)
    latest = item.latest
    priority = latest.priority if priority is None else check_priority(priority)
    before = _snapshot(latest)
    if latest.state in EDITABLE_STATES:
        version = latest
        version.data = payload
        version.title = title_of(item.kind, payload)
        version.valid_from, version.valid_until = valid_from, valid_until
        version.priority = priority
        version.state = VersionState.DRAFT
        version.submitted_at = None
        version.review_note = ""
    else:
        version = ContentVersion(
            item=item,
            number=latest.number + 1,
            title=title_of(item.kind, payload),
            data=payload,
            valid_from=valid_from,
            valid_until=valid_until,
            priority=priority,
            author_id=actor.id,
        )
        db.session.add(version)
    db.session.flush()
    old, new = audit.changed_fields(before, _snapshot(version))
    audit.record(
        "edit",
        actor=actor,
        township_id=item.township_id,
        target_type=item.kind,
        target_id=item.id,
        summary=f"{version.title} (v{version.number})",
        before=old,
        after=new,
    )
    db.session.commit()
    return version


def submit(actor: User, item: ContentItem) -> ContentVersion:
    """Send the latest draft to the review queue."""
    ensure_township(actor, item.township_id)
    if not actor.can(Role.EDITOR):
        raise NotAllowed(_("只有编辑可以提交审核。"))
    _hold(item)
    if item.withdrawn_at is not None:
        raise ServiceError(_("该内容已撤回，不能再提交审核。"))
    version = item.latest
    if version.state not in (VersionState.DRAFT, VersionState.REJECTED):
        raise ServiceError(_("只有草稿或被退回的内容可以提交审核。"))
    version.state = VersionState.PENDING
    version.submitted_at = utcnow()
    audit.record(
        "submit",
        actor=actor,
        township_id=item.township_id,
        target_type=item.kind,
        target_id=item.id,
        summary=f"{version.title} (v{version.number})",
    )
    # Rendered while it waits for review (publisher.jobs.prerender): approval then only
    # has to put it in the plan. Never aired before approval.
    # The township lets its reviewers see the pages (publisher.services.scope.may_see_page).
    enqueue("prerender", {"version_id": version.id, "township_id": item.township_id},
            commit=False)
    db.session.commit()
    wake_clock()
    return version


def _check_reviewer(actor: User, item: ContentItem, version: ContentVersion) -> None:
    ensure_township(actor, item.township_id)
    if not actor.can(Role.REVIEWER):
        raise NotAllowed(_("只有审核人可以审核内容。"))
    if item.withdrawn_at is not None:
        raise ServiceError(_("该内容已撤回，不需要再审核。"))
    if version.state != VersionState.PENDING:
        raise ServiceError(_("该内容不在待审核状态。"))
    if version.author_id == actor.id and not item.township.self_approval:
        raise NotAllowed(_("本乡镇不允许审核自己提交的内容，请由其他审核人审核。"))


def approve(actor: User, item: ContentItem, note: str = "") -> ContentVersion:
    """Approve the pending version: it replaces the one on air once rendered."""
    _hold(item)  # two reviewers at once: the second finds it approved already
    version = item.latest
    _check_reviewer(actor, item, version)
    # The version on air (if any) stays there until this one is rendered and encoded;
    # the render job then promotes it (see publisher.jobs.render).
    version.state = VersionState.APPROVED
    version.reviewed_by_id, version.reviewed_at, version.review_note = actor.id, utcnow(), note
    version.render_state = RenderState.QUEUED
    audit.record(
        "approve",
        actor=actor,
        township_id=item.township_id,
        target_type=item.kind,
        target_id=item.id,
        summary=f"{version.title} (v{version.number})",
        after={"note": note} if note else None,
    )
    db.session.commit()
    wake_clock()  # on air at the next page boundary: the clock need not wait for its tick
    return version


def reject(actor: User, item: ContentItem, reason: str) -> ContentVersion:
    """Send the pending version back to its author with a reason."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("退回时必须填写原因。"))
    _hold(item)
    version = item.latest
    _check_reviewer(actor, item, version)
    version.state = VersionState.REJECTED
    version.reviewed_by_id, version.reviewed_at, version.review_note = (
        actor.id,
        utcnow(),
        reason,
    )
    audit.record(
        "reject",
        actor=actor,
        township_id=item.township_id,
        target_type=item.kind,
        target_id=item.id,
        summary=f"{version.title} (v{version.number})",
        after={"reason": reason},
    )
    db.session.commit()
    return version


def withdraw(actor: User, item: ContentItem) -> None:
    """Take an item off air for good (it leaves at the next page boundary)."""
    ensure_township(actor, item.township_id)
    if not actor.can(Role.EDITOR, Role.REVIEWER):
        raise NotAllowed(_("您没有撤回内容的权限。"))
    _hold(item)
    if item.withdrawn_at is not None:
        raise ServiceError(_("该内容已经撤回。"))
    item.withdrawn_at, item.withdrawn_by_id = utcnow(), actor.id
    audit.record(
        "withdraw",
        actor=actor,
        township_id=item.township_id,
        target_type=item.kind,
        target_id=item.id,
        summary=item.latest.title,
    )
    db.session.commit()
    wake_clock()

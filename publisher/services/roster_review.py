"""The 干部分工 slide goes through review like any other content (#15).

The slide is made from the cadre table. A change to a cadre (form, import, deactivation)
proposes a new *release* of the slide's content; a reviewer approves it and only then does
it air. A township may publish roster changes directly instead (``Township.roster_review``
off): its releases are approved as they are proposed. One pending release at a time: a
further change before review updates it, so the reviewer sees the whole difference.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Cadre, Role, RosterRelease, Township, User, VersionState, utcnow
from publisher.services import audit
from publisher.services.clock_wake import wake_clock
from publisher.services.errors import NotAllowed, ServiceError
from publisher.services.scope import ensure_township

PENDING, APPROVED, REJECTED, SUPERSEDED = (VersionState.PENDING, VersionState.APPROVED,
                                           VersionState.REJECTED, VersionState.SUPERSEDED)


def roster_from_cadres(township: Township) -> dict[str, Any]:
    """The slide's content as the cadre table says now (the renderer's roster item)."""
    cadres = db.session.scalars(
        select(Cadre).where(Cadre.township_id == township.id, Cadre.active)
        .order_by(Cadre.sort_order, Cadre.id))
    rows = [{
        "name": c.name,
        "post": c.post,
        "villages": "、".join(sorted(v.name for v in c.villages)),
        "responsibilities": c.responsibilities,
        "phone": c.office_phone or c.phone,
    } for c in cadres]
    return {"type": "roster", "title": f"{township.name}干部分工", "rows": rows}


def _latest(township_id: int, *states: str) -> RosterRelease | None:
    return db.session.scalar(select(RosterRelease).where(
        RosterRelease.township_id == township_id, RosterRelease.state.in_(states))
        .order_by(RosterRelease.id.desc()).limit(1))


def on_air(township: Township) -> dict[str, Any] | None:
    """The roster the channel airs: the approved release (None before the first one)."""
    release = _latest(township.id, APPROVED)
    return release.data if release is not None else None


def pending(township_id: int) -> RosterRelease | None:
    return _latest(township_id, PENDING)


def propose(township_id: int, actor: User | None) -> RosterRelease | None:
    """After a cadre change (in the caller's transaction, which commits): the release that
    the change needs, or None when the slide's content did not change."""
    township = db.session.get(Township, township_id)
    db.session.flush()
    data = roster_from_cadres(township)
    waiting = pending(township_id)
    current = on_air(township)
    if waiting is not None:
        if data == waiting.data:
            return waiting
        if data == current:  # changed back to what airs: nothing left to review
            waiting.state = SUPERSEDED
            return None
        waiting.data, waiting.proposed_by_id, waiting.proposed_at = data, (
            actor.id if actor else None), utcnow()
        return waiting
    if data == current:
        return None
    release = RosterRelease(township_id=township_id, data=data, state=PENDING,
                            proposed_by_id=actor.id if actor else None, proposed_at=utcnow())
    db.session.add(release)
    db.session.flush()
    if not township.roster_review:  # the township publishes roster changes directly
        _approve(release, actor, _("本乡镇干部分工变更直接发布"))
    return release


def _approve(release: RosterRelease, actor: User | None, note: str) -> None:
    previous = _latest(release.township_id, APPROVED)
    if previous is not None:
        previous.state = SUPERSEDED
    release.state = APPROVED
    release.reviewed_by_id, release.reviewed_at, release.note = (
        actor.id if actor else None), utcnow(), note
    audit.record("approve", actor=actor, township_id=release.township_id,
                 target_type="roster", target_id=release.id,
                 summary=_("干部分工（%(n)d 人）", n=len(release.data.get("rows", []))),
                 after={"note": note} if note else None)


def publish_directly(release: RosterRelease, actor: User | None, note: str = "") -> None:
    """A pending release on air at once: the township turned review off, or the demo set-up
    (the caller commits)."""
    _approve(release, actor, note or _("本乡镇干部分工变更直接发布"))


def _check_reviewer(actor: User, release: RosterRelease) -> None:
    ensure_township(actor, release.township_id)
    if not actor.can(Role.REVIEWER):
        raise NotAllowed(_("只有审核人可以审核内容。"))
    if release.state != PENDING:
        raise ServiceError(_("该内容不在待审核状态。"))
    if release.proposed_by_id == actor.id and not release.township.self_approval:
        raise NotAllowed(_("本乡镇不允许审核自己提交的内容，请由其他审核人审核。"))


def approve(actor: User, release: RosterRelease, note: str = "") -> None:
    """The reviewed roster goes on air (the clock re-plans at once)."""
    _check_reviewer(actor, release)
    _approve(release, actor, note.strip())
    db.session.commit()
    wake_clock()


def reject(actor: User, release: RosterRelease, reason: str) -> None:
    """The change stays off air; the cadre table keeps it for the editor to correct."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("退回时必须填写原因。"))
    _check_reviewer(actor, release)
    release.state = REJECTED
    release.reviewed_by_id, release.reviewed_at, release.note = actor.id, utcnow(), reason
    audit.record("reject", actor=actor, township_id=release.township_id,
                 target_type="roster", target_id=release.id, summary=_("干部分工"),
                 after={"reason": reason})
    db.session.commit()


def changes(release: RosterRelease) -> list[tuple[str, str, dict | None, dict | None]]:
    """What the release changes against what airs, by cadre name:
    (name, 新增/删除/修改, old row, new row)."""
    township = db.session.get(Township, release.township_id)
    before = {row["name"]: row for row in (on_air(township) or {}).get("rows", [])}
    after = {row["name"]: row for row in release.data.get("rows", [])}
    out = []
    for name, row in after.items():
        if name not in before:
            out.append((name, _("新增"), None, row))
        elif before[name] != row:
            out.append((name, _("修改"), before[name], row))
    out += [(name, _("删除"), row, None) for name, row in before.items() if name not in after]
    return out

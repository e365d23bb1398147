"""Cadres and their duty assignments (干部分工): who covers which villages, doing what.

The duty roster slide is built from these rows by the clock (``publisher.jobs.derived``).
A cadre's mobile number identifies their SMS check-ins, so it is unique among active cadres.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select

from publisher.extensions import db
from publisher.models import Cadre, Role, User, Village, row_id
from publisher.services import audit, roster_review
from publisher.services.errors import NotAllowed
from publisher.services.org.common import FieldError, flag, integer, record, text
from publisher.services.phones import clean_mobile, clean_phone
from publisher.services.scope import ensure_township

NAME_MAX = 12  # the roster slide's name column
POST_MAX = 30
RESPONSIBILITIES_MAX = 500


def clean_cadre(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Typed cadre fields from a form, an API body or an import row (pure)."""
    # Shown on the duty roster slide for villagers to call: an extension may follow.
    office = clean_phone(text(raw, "office_phone", 30), "office_phone", extension=True)
    village_ids = raw.get("village_ids") or []
    if isinstance(village_ids, str | int):
        village_ids = [village_ids]
    ids = {row_id(v) for v in village_ids} if isinstance(village_ids, list | tuple) else {None}
    if None in ids:  # not a list of numbers a village could have
        raise FieldError("village_ids", _("包村选择无效。"))
    user_id = raw.get("user_id")
    if user_id in (None, "", "0", 0):
        user_id = None
    elif row_id(user_id) is None:
        raise FieldError("user_id", _("登录账号选择无效。"))
    else:
        user_id = row_id(user_id)
    return {
        "name": text(raw, "name", NAME_MAX, required=True),
        "post": text(raw, "post", POST_MAX),
        "responsibilities": text(raw, "responsibilities", RESPONSIBILITIES_MAX),
        "phone": clean_mobile(text(raw, "phone", 30)),
        "office_phone": office,
        "sort_order": integer(raw, "sort_order", 0, 9999, 100),
        "active": flag(raw, "active", default=True),
        "village_ids": sorted(ids),
        "user_id": user_id,
    }


def _may_edit(actor: User, township_id: int) -> None:
    ensure_township(actor, township_id)
    if not actor.can(Role.EDITOR):
        raise NotAllowed(_("只有编辑或管理员可以维护干部信息。"))


def _villages(township_id: int, ids: Iterable[int]) -> list[Village]:
    ids = list(ids)
    if not ids:
        return []
    found = list(db.session.scalars(select(Village).where(
        Village.id.in_(ids), Village.township_id == township_id)))
    if len(found) != len(ids):
        raise FieldError("village_ids", _("所选的村（社区）不属于本乡镇。"))
    return sorted(found, key=lambda v: v.name)


def check_unique(township_id: int, fields: Mapping[str, Any], cadre: Cadre | None) -> None:
    """Refuse a mobile number another active cadre has, a duplicate, or a taken account."""
    others = select(Cadre).where(Cadre.id != (cadre.id if cadre and cadre.id else -1))
    if fields["phone"] and fields["active"]:
        taken = db.session.scalar(others.where(Cadre.phone == fields["phone"], Cadre.active))
        if taken is not None:
            raise FieldError("phone", _("该手机号已登记给干部“%(name)s”。", name=taken.name))
    same = db.session.scalar(others.where(Cadre.township_id == township_id,
                                          Cadre.name == fields["name"],
                                          Cadre.phone == fields["phone"]))
    if same is not None:
        raise FieldError("name", _("本乡镇已有同名同手机号的干部。"))
    if fields["user_id"] is not None:
        user = db.session.get(User, fields["user_id"])
        if user is None or user.township_id != township_id:
            raise FieldError("user_id", _("登录账号不属于本乡镇。"))
        if db.session.scalar(others.where(Cadre.user_id == user.id)) is not None:
            raise FieldError("user_id", _("该登录账号已关联其他干部。"))


def save_cadre(actor: User, township_id: int, fields: Mapping[str, Any],
               cadre: Cadre | None = None, *, photo_path: str | None = None,
               commit: bool = True) -> Cadre:
    """Create or update a cadre and their villages; ``photo_path`` replaces the photo.

    With ``commit=False`` the change is only flushed (the bulk import commits once).
    """
    _may_edit(actor, township_id)
    if cadre is not None and cadre.township_id != township_id:
        raise NotAllowed(_("您不能查看或修改其他乡镇的内容。"))
    check_unique(township_id, fields, cadre)
    villages = _villages(township_id, fields["village_ids"])
    columns = {k: v for k, v in fields.items() if k != "village_ids"}
    if photo_path is not None:
        columns["photo_path"] = photo_path
    creating = cadre is None
    cadre = cadre or Cadre(township_id=township_id)
    before = {} if creating else {k: getattr(cadre, k) for k in columns}
    if not creating:
        before["villages"] = [v.name for v in cadre.villages]
    for key, value in columns.items():
        setattr(cadre, key, value)
    cadre.villages = villages
    db.session.add(cadre)
    db.session.flush()
    old, new = audit.changed_fields(before, {**columns, "villages": [v.name for v in villages]})
    audit.record("create" if creating else "edit", actor=actor, township_id=township_id,
                 target_type="cadre", target_id=cadre.id, summary=cadre.name,
                 before=None if creating else old, after=new)
    roster_review.propose(township_id, actor)  # the 干部分工 slide changes only once reviewed
    if commit:
        db.session.commit()
    return cadre


def set_cadre_active(actor: User, cadre: Cadre, active: bool) -> None:
    """Deactivate (left the township, long leave) or reactivate a cadre; history is kept."""
    _may_edit(actor, cadre.township_id)
    if active and cadre.phone:
        check_unique(cadre.township_id, {"phone": cadre.phone, "active": True,
                                          "name": cadre.name, "user_id": None}, cadre)
    cadre.active = active
    record("activate" if active else "deactivate", actor, cadre, kind="cadre",
           summary=cadre.name, township_id=cadre.township_id)
    roster_review.propose(cadre.township_id, actor)
    db.session.commit()


def list_cadres(township_id: int, *, q: str = "", include_inactive: bool = False) -> list[Cadre]:
    """A township's cadres in roster order, optionally filtered by name, post or phone."""
    query = select(Cadre).where(Cadre.township_id == township_id)
    if not include_inactive:
        query = query.where(Cadre.active)
    q = q.strip()
    if q:
        like = f"%{q}%"
        query = query.where(or_(Cadre.name.like(like), Cadre.post.like(like),
                                Cadre.phone.like(like), Cadre.responsibilities.like(like),
                                Cadre.villages.any(Village.name.like(like))))
    return list(db.session.scalars(query.order_by(Cadre.sort_order, Cadre.name)))


def linkable_users(township_id: int, cadre: Cadre | None) -> list[User]:
    """Accounts of the township that may be linked to ``cadre`` (not linked elsewhere)."""
    linked = select(Cadre.user_id).where(Cadre.user_id.is_not(None))
    if cadre is not None and cadre.id:
        linked = linked.where(Cadre.id != cadre.id)
    return list(db.session.scalars(
        select(User).where(User.township_id == township_id, User.active,
                           User.id.not_in(linked)).order_by(User.role != Role.CADRE,
                                                            User.display_name)))


def cadre_json(cadre: Cadre) -> dict[str, Any]:
    """A cadre as the API shows it."""
    return {
        "id": cadre.id,
        "township_id": cadre.township_id,
        "name": cadre.name,
        "post": cadre.post,
        "villages": [{"id": v.id, "name": v.name} for v in cadre.villages],
        "responsibilities": cadre.responsibilities,
        "phone": cadre.phone,
        "office_phone": cadre.office_phone,
        "has_photo": bool(cadre.photo_path),
        "sort_order": cadre.sort_order,
        "active": cadre.active,
        "user_id": cadre.user_id,
    }

"""The household registry: households, their phones, members and devices.

Sensitive values are encrypted on the way in and only decrypted for a full view, which
is audited; everyone else sees them masked.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from publisher.emergency import crypto, permissions
from publisher.emergency.i18n import _
from publisher.extensions import db
from publisher.models import Role, User, Village, utcnow
from publisher.models.emergency import (
    HOUSEHOLD_KINDS,
    CallPlan,
    Device,
    Household,
    HouseholdMember,
    HouseholdPhone,
)
from publisher.services import audit
from publisher.services.errors import FieldError, NotAllowed, ServiceError
from publisher.services.phones import OWN_NUMBER, phone_kind
from publisher.services.scope import ensure_township
from publisher.sms.numbers import normalize_number

_ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def can_see_sensitive(user: User) -> bool:
    """Township admins, leaders and cadres (who visit these households) see full values."""
    return user.can(Role.REVIEWER, Role.CADRE)


def ensure_manager(actor: User, township_id: int) -> None:
    ensure_township(actor, township_id)
    if not can_see_sensitive(actor):
        raise NotAllowed(_("只有管理员、分管领导和乡干部可以维护应急登记信息。"))


def check_phone(raw: str, field: str = "phone") -> str:
    """The number normalised; FieldError naming ``field`` if it is not a phone number."""
    # The same rule as every other phone field (services.phones); stored as the digits the
    # SMS gateway and the voice gateway dial. No extension: nobody is there to key it in.
    if phone_kind(raw, extension=False) not in OWN_NUMBER:
        raise FieldError(field, _("电话号码无效：%(n)s", n=raw.strip()[:30]))
    return normalize_number(raw)


def check_id_number(raw: str, field: str = "members") -> str:
    """An 18-digit resident ID with a valid check digit (GB 11643), or ''."""
    value = raw.strip().upper()
    if not value:
        return ""
    if not _ID_NUMBER.match(value):
        raise FieldError(field, _("身份证号码应为18位。"))
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if "10X98765432"[total % 11] != value[17]:
        raise FieldError(field, _("身份证号码校验位不对，请核对。"))
    return value


@dataclass
class MemberData:
    name: str
    relation: str = ""
    birth_year: int | None = None
    id_number: str = ""


@dataclass
class HouseholdData:
    village_id: int
    kind: str
    name: str
    address: str = ""
    notes: str = ""
    medical_notes: str = ""
    call_plan_id: int | None = None
    phones: list[tuple[str, str]] = field(default_factory=list)  # (label, number)
    members: list[MemberData] = field(default_factory=list)


def _validate(township_id: int, data: HouseholdData) -> None:
    village = db.session.get(Village, data.village_id)
    if village is None or village.township_id != township_id:
        raise FieldError("village_id", _("所选村不属于本乡镇。"))
    if data.kind not in HOUSEHOLD_KINDS:
        raise FieldError("kind", _("请选择户类型。"))
    if not data.name.strip():
        raise FieldError("name", _("请填写姓名。"))
    if data.call_plan_id is not None:
        call_plan = db.session.get(CallPlan, data.call_plan_id)
        if call_plan is None or call_plan.township_id != township_id:
            raise FieldError("call_plan_id", _("所选呼救预案不属于本乡镇。"))


def save_household(actor: User, township_id: int, data: HouseholdData,
                   household: Household | None = None) -> Household:
    """Create or replace a household's record (phones and members as given)."""
    ensure_manager(actor, township_id)
    _validate(township_id, data)
    phones = [(label.strip()[:20], check_phone(number, "phones"))
              for label, number in data.phones]
    members = [(m, check_id_number(m.id_number)) for m in data.members]
    creating = household is None
    if household is None:
        household = Household(township_id=township_id)
        db.session.add(household)
    household.village_id, household.kind = data.village_id, data.kind
    household.name, household.address = data.name.strip()[:40], data.address.strip()[:200]
    household.notes, household.call_plan_id = data.notes.strip(), data.call_plan_id
    household.medical_notes_enc = crypto.encrypt(data.medical_notes.strip())
    household.updated_at = utcnow()
    household.phones = [
        HouseholdPhone(label=label, number_enc=crypto.encrypt(number),
                       number_digest=crypto.digest(number))
        for label, number in phones
    ]
    household.members = [
        HouseholdMember(name=m.name.strip()[:40], relation=m.relation.strip()[:20],
                        birth_year=m.birth_year, id_number_enc=crypto.encrypt(id_number))
        for m, id_number in members
    ]
    db.session.flush()
    audit.record(
        "create" if creating else "edit", actor=actor, township_id=township_id,
        target_type="household", target_id=household.id,
        summary=f"{audit_name(household)}（{household.kind}）",
        # Masked only: the audit log itself must not become a copy of the secrets.
        after={"phones": [crypto.mask_phone(n) for _, n in phones],
               "members": len(members), "medical_notes": bool(data.medical_notes.strip())},
    )
    db.session.commit()
    return household


def audit_name(household: Household) -> str:
    """How the audit log names a household: its number and the name's first character
    (the audit log is kept in plain text and must not become a copy of the register)."""
    name = household.name
    return f"#{household.id} {name[:1]}{'*' * (len(name) - 1)}"


def household_view(household: Household, *, full: bool) -> dict[str, Any]:
    """What a page shows: decrypted when ``full`` (audit that with ``reveal``), else masked."""
    def phone(p: HouseholdPhone) -> dict[str, str]:
        number = crypto.decrypt(p.number_enc)
        return {"label": p.label, "number": number if full else crypto.mask_phone(number)}

    def member(m: HouseholdMember) -> dict[str, Any]:
        id_number = crypto.decrypt(m.id_number_enc)
        return {"name": m.name, "relation": m.relation, "birth_year": m.birth_year,
                "id_number": id_number if full else crypto.mask_id_number(id_number)}

    medical = crypto.decrypt(household.medical_notes_enc)
    return {"phones": [phone(p) for p in household.phones],
            "members": [member(m) for m in household.members],
            "medical_notes": medical if full else crypto.mask_text(medical), "full": full}


def reveal(actor: User, household: Household, reason: str = "view") -> dict[str, Any]:
    """The full record, for an allowed role; every call is audited. A cadre sees only the
    households of the villages they are stationed in."""
    ensure_manager(actor, household.township_id)
    if not permissions.may_see_village(actor, household.village_id):
        raise NotAllowed(_("驻村干部只能查看本人所驻村住户的完整信息。"))
    audit.record("reveal", actor=actor, township_id=household.township_id,
                 target_type="household", target_id=household.id,
                 summary=f"查看完整信息：{audit_name(household)}（{reason}）")
    db.session.commit()
    return household_view(household, full=True)


def sms_numbers(actor: User, numbers: list[str], *, full: bool) -> list[str]:
    """Numbers of received SMS as a staff page shows them: masked, or (for an allowed
    role asking for it) in full, which is audited like a household's full view."""
    if not full or not can_see_sensitive(actor):
        return [crypto.mask_phone(n) for n in numbers]
    audit.record("reveal", actor=actor, township_id=actor.township_id, target_type="sms",
                 summary=f"查看收到短信的完整号码（{len(numbers)} 条）")
    db.session.commit()
    return list(numbers)


def households_by_phone(number: str) -> list[Household]:
    """Every active household this number is registered to, in any township (oldest
    registration first): one phone may serve two homes, e.g. a son's for both parents."""
    key = crypto.digest(number)
    if not key:
        return []
    phones = db.session.query(HouseholdPhone).join(Household).filter(
        HouseholdPhone.number_digest == key, Household.active.is_(True)
    ).order_by(HouseholdPhone.id).all()
    return list({p.household_id: p.household for p in phones}.values())


def household_by_phone(number: str) -> Household | None:
    """The first household of ``households_by_phone`` (for pages; the SMS router takes
    them all)."""
    found = households_by_phone(number)
    return found[0] if found else None


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_device(actor: User, household: Household, label: str = "",
               test_interval_hours: int = 24 * 7, now: datetime | None = None
               ) -> tuple[Device, str]:
    """A new device and its secret token (shown once; only its hash is kept). A cadre adds
    devices only in their own villages (a device can raise that household's alarm)."""
    ensure_manager(actor, household.township_id)
    if not permissions.may_see_village(actor, household.village_id):
        raise NotAllowed(_("驻村干部只能为本人所驻村的住户添加呼救设备。"))
    if not 1 <= test_interval_hours <= 24 * 90:
        raise ServiceError(_("测试间隔须在 1 小时到 90 天之间。"))
    token = secrets.token_urlsafe(24)
    device = Device(household_id=household.id, label=(label or "一键呼救器").strip()[:40],
                    token_digest=_token_digest(token), test_interval_hours=test_interval_hours,
                    created_at=now or utcnow())
    db.session.add(device)
    db.session.flush()
    audit.record("create", actor=actor, township_id=household.township_id,
                 target_type="device", target_id=device.id,
                 summary=f"{audit_name(household)} · {device.label}")
    db.session.commit()
    return device, token


def device_by_token(token: str) -> Device | None:
    if not token or len(token) > 200:
        return None
    device = db.session.query(Device).filter_by(token_digest=_token_digest(token)).first()
    return device if device is not None and device.active else None

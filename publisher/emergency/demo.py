"""The demo township's emergency side (called by publisher.seed): one household, its
responders and a default call plan, so that a press in the demo reaches a person.

The plan: the village's duty cadre of the day (from the seeded whereabouts: 张明 walks
柳树湾村 today; on a later day the township's duty cadre, else the daughter), then the
daughter, then the township duty phone. Idempotent: each thing is looked up by name first.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from publisher.emergency import registry, responders
from publisher.extensions import db
from publisher.models import Township, User, Village, utcnow
from publisher.models.emergency import CallPlan, Household, Responder

CALL_PLAN = "演示呼救预案"
HOUSEHOLD = ("柳树湾村", "赵大爷", "空巢老人", "柳树湾村2组8号", "13909179001")
DUTY = "柳树湾村当日值班干部"
DAUGHTER = ("赵小红（女儿）", "13909179002")
WAIT_S = 120  # demo: two minutes per step, long enough to answer from a real phone


def _responder(admin: User, township: Township, name: str, kind: str, phone: str = ""
               ) -> Responder:
    found = db.session.scalar(select(Responder).where(Responder.township_id == township.id,
                                                      Responder.name == name))
    if found is not None:
        return found
    made = responders.save_responder(admin, township.id,
                                     responders.ResponderData(name, kind, phone))
    if phone:  # demo numbers: marked verified so the plan reaches them at once
        responders.mark_verified(admin, made, utcnow())
    return made


def seed_emergency(township: Township) -> Iterator[str]:
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    duty = _responder(admin, township, DUTY, "village_duty")
    daughter = _responder(admin, township, DAUGHTER[0], "relative", DAUGHTER[1])
    call_plan = db.session.scalar(select(CallPlan).where(
        CallPlan.township_id == township.id, CallPlan.name == CALL_PLAN))
    if call_plan is None:
        call_plan = responders.save_call_plan(admin, township.id, CALL_PLAN, [
            responders.StepData(duty.id, ("sms",), WAIT_S, fallback_id=daughter.id),
            responders.StepData(daughter.id, ("sms",), WAIT_S),
        ], final_phone=township.duty_phone or "", is_default=True)
    village_name, name, kind, address, phone = HOUSEHOLD
    # Names are encrypted: the seed finds its household by comparing in Python.
    household = next((h for h in db.session.scalars(select(Household).where(
        Household.township_id == township.id)) if h.name == name), None)
    if household is None:
        village = db.session.scalar(select(Village).where(Village.township_id == township.id,
                                                          Village.name == village_name))
        household = registry.save_household(admin, township.id, registry.HouseholdData(
            village_id=village.id, kind=kind, name=name, address=address,
            call_plan_id=call_plan.id, phones=[("本人", phone)]))
    yield (f"应急呼救：{village_name}{name}（{kind}），预案“{CALL_PLAN}”：本村当日值班干部"
           f"（无人值班时{daughter.name}）→ {daughter.name} → 乡镇值班电话")

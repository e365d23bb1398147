"""Device health: every device must send a test press within its interval; a missed test
becomes a task (and an SMS) for the cadre covering the household's village."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from publisher.emergency import engine, messages
from publisher.extensions import db
from publisher.models import Cadre, cadre_village
from publisher.models.emergency import Device, DeviceTask, Household, TriggerLog
from publisher.sms.store import queue_sms


def record_test(device: Device, now: datetime, idempotency_key: str | None = None) -> str:
    """A test press arrived: the device is healthy again ("duplicate" if seen before)."""
    if idempotency_key:
        known = db.session.scalar(select(TriggerLog.id).where(
            TriggerLog.device_id == device.id, TriggerLog.idempotency_key == idempotency_key))
        if known is not None:
            return "duplicate"
    device.last_test_at = now
    for task in db.session.scalars(select(DeviceTask).where(
            DeviceTask.device_id == device.id, DeviceTask.done_at.is_(None))):
        task.done_at, task.note = now, "已收到设备测试"
    db.session.add(TriggerLog(household_id=device.household_id, device_id=device.id,
                              source="device", idempotency_key=idempotency_key,
                              outcome="test", received_at=now))
    try:
        db.session.commit()
    except IntegrityError:  # the same key, concurrently
        db.session.rollback()
        return "duplicate"
    return "test"


def village_cadre(household: Household) -> Cadre | None:
    return db.session.scalar(
        select(Cadre).join(cadre_village, cadre_village.c.cadre_id == Cadre.id)
        .where(cadre_village.c.village_id == household.village_id, Cadre.active.is_(True))
        .order_by(Cadre.sort_order, Cadre.id).limit(1))


def check_devices(now: datetime) -> int:
    """Raise a task for every device whose test is overdue (once per missed test)."""
    created = 0
    devices = db.session.scalars(select(Device).join(Household).where(
        Device.active.is_(True), Household.active.is_(True))).all()
    for device in devices:
        due = engine.device_test_missed(device.last_test_at, device.created_at,
                                 device.test_interval_hours, now)
        if due is None:
            continue
        exists = db.session.scalar(select(DeviceTask.id).where(
            DeviceTask.device_id == device.id, DeviceTask.due_at == due))
        if exists is not None:
            continue
        household = device.household
        cadre = village_cadre(household)
        task = DeviceTask(township_id=household.township_id, device_id=device.id,
                          cadre_id=cadre.id if cadre else None, due_at=due, created_at=now)
        db.session.add(task)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            continue
        if cadre is not None and cadre.phone:
            days = max(1, round(device.test_interval_hours / 24))
            queue_sms(cadre.phone, messages.device_task_text(household.village.name,
                      household.name, device.label, days), key=f"device-task:{task.id}",
                      related_type="device_task", related_id=task.id, now=now)
        db.session.commit()
        created += 1
    return created

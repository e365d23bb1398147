"""The ledger's rules, pure: statuses and the steps between them, deadlines by category,
what counts as overdue and as settled on time. No Flask, no database, no clock (``now`` and
the time zone are arguments)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from playlists import timezones
from publisher.models.requests import RequestStatus

S = RequestStatus

# The words of the paper ledger (群众诉求登记台账).
STATUS_LABELS = {S.ACCEPTED: "受理", S.IN_PROGRESS: "办理中", S.RESOLVED: "办结",
                 S.FOLLOWED_UP: "回访"}
SOURCE_LABELS = {"admin": "来访登记", "sms": "短信", "phone": "驻村干部代录", "api": "接口",
                 "import": "台账导入"}
SATISFACTION = ("满意", "基本满意", "不满意")

# Calendar days from the day a request is received to the end of the day it must be settled
# (办结), by category. A township's own practice, shorter than the 60 days the 信访工作条例
# allows a 信访事项: a 政策咨询 is answered by telling the rule; health and sanitation harm
# people while they wait; a dispute needs both sides heard; a road or a water pipe needs
# money and works. Unknown categories get DEFAULT_DAYS.
# In the order of the declaration's categories (renderer.kinds.requests), which lists follow.
DEADLINE_DAYS = {"农业生产": 10, "基础设施": 30, "社会保障": 15, "医疗卫生": 7, "教育": 15,
                 "环境卫生": 7, "矛盾纠纷": 15, "政策咨询": 5, "其他": 15}
DEFAULT_DAYS = 15
# What a deadline set by hand may be: not before the day received, not years away (a typo).
MAX_DEADLINE_DAYS = 180

# Each step: (from, to) → what it is called, and whether a note is required.
TRANSITIONS: dict[tuple[str, str], tuple[str, bool]] = {
    (S.ACCEPTED, S.IN_PROGRESS): ("交办", False),
    (S.IN_PROGRESS, S.RESOLVED): ("办结", True),  # the note is the 办理结果
    (S.RESOLVED, S.FOLLOWED_UP): ("回访", False),  # satisfaction is required instead
    (S.RESOLVED, S.IN_PROGRESS): ("退回重办", True),  # the follow-up found it not settled
}
OPEN = (S.ACCEPTED, S.IN_PROGRESS)


class RuleError(ValueError):
    """A step the ledger does not allow; the message is Chinese, for the person who tried."""


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)  # type: ignore[call-overload]


def deadline_days(category: str) -> int:
    return DEADLINE_DAYS.get(category, DEFAULT_DAYS)


def end_of_day(day: date, zone: str) -> datetime:
    """The last second of ``day`` in ``zone``, as an aware instant."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=timezones.zone(zone))


def local_day(instant: datetime, zone: str) -> date:
    return instant.astimezone(timezones.zone(zone)).date()


def deadline_for(category: str, received_at: datetime, zone: str) -> datetime:
    """The end of the township's day ``deadline_days(category)`` days after the day received."""
    return end_of_day(local_day(received_at, zone) + timedelta(days=deadline_days(category)), zone)


def chosen_deadline(day: date, received_at: datetime, zone: str) -> datetime:
    """A deadline set by hand (a day), checked against the day the request was received."""
    received = local_day(received_at, zone)
    if day < received:
        raise RuleError("办理时限不能早于受理日期。")
    if day > received + timedelta(days=MAX_DEADLINE_DAYS):
        raise RuleError(f"办理时限不能超过受理后 {MAX_DEADLINE_DAYS} 天。")
    return end_of_day(day, zone)


def check_step(current: str, wanted: str, *, note: str = "", satisfaction: str = "",
               has_cadre: bool = True) -> str:
    """The step's name if ``current`` → ``wanted`` is allowed with what was given."""
    step = TRANSITIONS.get((current, wanted))
    if step is None:
        raise RuleError(f"当前状态为“{status_label(current)}”，不能改为“{status_label(wanted)}”。")
    name, needs_note = step
    if needs_note and not note.strip():
        raise RuleError("办结须填写办理结果。" if wanted == S.RESOLVED
                        else f"{name}须写明原因。")
    if wanted == S.IN_PROGRESS and not has_cadre:
        raise RuleError("请先指定承办干部。")
    if wanted == S.FOLLOWED_UP and satisfaction not in SATISFACTION:
        raise RuleError("回访须选择群众评价：" + "、".join(SATISFACTION) + "。")
    return name


def next_steps(current: str) -> list[str]:
    """The statuses a request in ``current`` may move to, in the order the ledger goes."""
    return [to for (frm, to) in TRANSITIONS if frm == current]


def is_overdue(status: str, deadline: datetime, now: datetime) -> bool:
    """Still open (受理 or 办理中) past its deadline."""
    return status in OPEN and now > deadline


def on_time(deadline: datetime, closed_at: datetime | None) -> bool:
    return closed_at is not None and closed_at <= deadline


@dataclass(frozen=True)
class Month:
    """A calendar month in a township's zone, as the instants that bound it."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """``YYYY-MM``; RuleError in Chinese otherwise."""
        try:
            year, month = (int(part) for part in text.split("-"))
            date(year, month, 1)
        except (ValueError, TypeError):
            raise RuleError("月份格式应为 年-月，例如 2026-05。") from None
        if not 2000 <= year <= 2100:
            raise RuleError("月份应在 2000 年到 2100 年之间。")
        return cls(year, month)

    @classmethod
    def of(cls, instant: datetime, zone: str) -> Month:
        day = local_day(instant, zone)
        return cls(day.year, day.month)

    def bounds(self, zone: str) -> tuple[datetime, datetime]:
        """[start, end) of the month in ``zone``."""
        tz = timezones.zone(zone)
        start = datetime(self.year, self.month, 1, tzinfo=tz)
        after = datetime(self.year + self.month // 12, self.month % 12 + 1, 1, tzinfo=tz)
        return start, after

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

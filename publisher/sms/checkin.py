"""Reading a cadre's whereabouts SMS (pure: no database, no clock).

Accepted, after the keyword ``去向`` or its pinyin initials ``QX`` (any case, full-width
letters, spaces and colons allowed; the separator may be left out):

  去向 张家村 走访低保户          → 在村走访, village 张家村, activity 走访低保户
  去向：张家 8:30-11:30 入户核查   → the village by its short name, with a time window
  去向 乡机关值班 / 去向 值班      → 乡机关值班
  去向 请假 / 去向 病假 腰伤       → 请假 (with the reason as activity)
  去向 外出开会 县里 参加培训      → 外出开会, place 县里, activity 参加培训
  QX 出差 省城                     → 出差, place 省城
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from publisher.models.people import WHEREABOUTS_STATUSES

VISIT, DUTY, MEETING, TRIP, LEAVE, OTHER = WHEREABOUTS_STATUSES
# Words cadres actually type, mapped to the board's statuses.
STATUS_WORDS = {
    VISIT: VISIT, "走访": VISIT, "驻村": VISIT, "下村": VISIT, "入户": VISIT, "在村": VISIT,
    DUTY: DUTY, "机关值班": DUTY, "乡政府值班": DUTY, "值班": DUTY, "在乡": DUTY,
    MEETING: MEETING, "开会": MEETING, "会议": MEETING, "培训": MEETING,
    TRIP: TRIP,
    LEAVE: LEAVE, "休假": LEAVE, "病假": LEAVE, "事假": LEAVE, "年假": LEAVE,
    OTHER: OTHER,
}
USAGE = ("去向短信格式：去向 村名 工作内容，如“去向 张家村 走访低保户”；"
         "也可发“去向 乡机关值班”“去向 请假”“去向 外出开会 县里 参加培训”。")
MAX_ACTIVITY, MAX_PLACE = 200, 80

_KEYWORD = re.compile(r"^(?:去向|qx)(?![a-z])\s*[:：,，]?\s*", re.IGNORECASE)
_SEP = " \t,，、:：;；。.!！"
_TIME = re.compile(
    r"(?<!\d)([01]?\d|2[0-3])(?:[:：点](\d{2})?)?\s*(?:-|~|—|至|到)\s*"
    r"([01]?\d|2[0-3])(?:[:：点](\d{2})?)?(?!\d)"
)


class CheckInError(ValueError):
    """The text is not a usable whereabouts report; ``str`` is a Chinese reason."""


@dataclass(frozen=True)
class CheckIn:
    status: str
    village: str | None = None
    place: str = ""
    activity: str = ""
    start_time: time | None = None
    end_time: time | None = None


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def is_checkin(text: str) -> bool:
    """Whether the text starts with the keyword (then it gets a check-in answer)."""
    return bool(_KEYWORD.match(_clean(text)))


def _strip(text: str) -> str:
    return text.strip(_SEP)


def _time_window(rest: str) -> tuple[str, time | None, time | None]:
    match = _TIME.search(rest)
    if not match:
        return rest, None, None
    h1, m1, h2, m2 = match.groups()
    start, end = time(int(h1), int(m1 or 0)), time(int(h2), int(m2 or 0))
    if end <= start:
        raise CheckInError("时间段有误：结束时间应晚于开始时间。")
    return (rest[: match.start()] + " " + rest[match.end():]), start, end


def _village_names(villages: Sequence[str]) -> dict[str, str]:
    """Every way a village may be written → its registered name (张家村, 张家)."""
    names: dict[str, str] = {}
    for name in villages:
        names[name] = name
        for suffix in ("村委会", "社区", "村"):
            short = name.removesuffix(suffix)
            if short != name and len(short) >= 2:
                names.setdefault(short, name)
    return names


def _longest_prefix(text: str, words: Sequence[str]) -> str | None:
    found = [w for w in words if text.startswith(w)]
    return max(found, key=len) if found else None


# What cadres write before the place when they leave the keyword out: 今天在…, 我今天上午去…
_CASUAL_WHEN = re.compile(r"^(?:我|本人)?(?:今天|今日)?(?:上午|下午|全天|一天)?")
_CASUAL_WHERE = re.compile(r"^(?:在|去|到|驻)")


def casual_text(text: str, villages: Sequence[str]) -> str | None:
    """A cadre's report written without the keyword (今天在黄土坪村走访) in the keyword form
    (去向 黄土坪村走访), when what follows the opening words is a village or a status word;
    None for anything else, which is then not taken for a report."""
    cleaned = _clean(text)
    rest = _strip(cleaned[_CASUAL_WHEN.match(cleaned).end():])
    words = [*STATUS_WORDS, *_village_names(villages)]
    if _longest_prefix(rest, words) is None:  # 在乡值班 is a status; 在黄土坪村 is not
        rest = _strip(rest[_CASUAL_WHERE.match(rest).end():] if _CASUAL_WHERE.match(rest)
                      else rest)
        if _longest_prefix(rest, words) is None:
            return None
    return f"去向 {rest}"


def parse_checkin(text: str, villages: Sequence[str]) -> CheckIn:
    """The report in ``text``; CheckInError with a reason otherwise."""
    cleaned = _clean(text)
    keyword = _KEYWORD.match(cleaned)
    if not keyword:
        raise CheckInError("短信不是以“去向”开头。")
    rest, start, end = _time_window(cleaned[keyword.end():])
    rest = _strip(rest)
    if not rest:
        raise CheckInError("请写明今天的去向。")
    village_names = _village_names(villages)
    word = _longest_prefix(rest, [*STATUS_WORDS, *village_names])
    if word is None:
        raise CheckInError("无法识别去向：请以村名或“值班、开会、出差、请假”开头。")
    remainder = _strip(rest[len(word):])
    if word in STATUS_WORDS:
        result = _by_status(STATUS_WORDS[word], remainder, village_names)
    else:
        result = CheckIn(VISIT, village=village_names[word], activity=remainder)
    result = CheckIn(result.status, result.village, result.place, result.activity, start, end)
    if len(result.activity) > MAX_ACTIVITY or len(result.place) > MAX_PLACE:
        raise CheckInError(f"内容过长：工作内容最多 {MAX_ACTIVITY} 字。")
    return result


def _by_status(status: str, remainder: str, village_names: dict[str, str]) -> CheckIn:
    village_word = _longest_prefix(remainder, list(village_names))
    if status == VISIT:
        if village_word is None:
            raise CheckInError("请写明在哪个村走访，如“去向 张家村 走访低保户”。")
        return CheckIn(VISIT, village=village_names[village_word],
                       activity=_strip(remainder[len(village_word):]))
    if status in (MEETING, TRIP) and remainder:
        place, _, activity = remainder.partition(" ")
        if village_word is not None and place == village_word:
            return CheckIn(status, village=village_names[village_word], activity=_strip(activity))
        return CheckIn(status, place=_strip(place), activity=_strip(activity))
    return CheckIn(status, activity=remainder)

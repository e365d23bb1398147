"""The channel schedule's pure core: cleaning form/stored input, storage shape, airtime shares.

No database and no Flask app: :mod:`publisher.services.schedule` turns raw values into the
timeline's ``CategoryRule``/``Daypart`` dataclasses or says, field by field, what is wrong.
"""

from __future__ import annotations

from datetime import time
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from playlists.plan import CategoryRule, Daypart
from publisher.services.schedule import (
    CATEGORIES,
    DEFAULT_CATEGORIES,
    MAX_DAYPARTS,
    ScheduleError,
    clean_schedule,
    describe_daypart,
    describe_days,
    describe_entry,
    describe_rule,
    percent,
    rules_for,
    schedule_from_form,
    schedule_json,
    summary,
    weekly_airtime,
)

WEEKDAYS = [0, 1, 2, 3, 4]


def raw(**entries: dict) -> dict:
    """A schedule with every category on air all day at weight 1, except ``entries``."""
    base = {cat: {"weight": 1, "dayparts": []} for cat in CATEGORIES}
    base.update(entries)
    return base


def part(days=WEEKDAYS, start="07:00", end="09:00") -> dict:  # noqa: ANN001
    return {"weekdays": days, "start": start, "end": end}


def errors_of(schedule: dict) -> dict[str, str]:
    with pytest.raises(ScheduleError) as caught:
        clean_schedule(schedule)
    return caught.value.errors


# ---- cleaning --------------------------------------------------------------------------


def test_a_clean_schedule_becomes_timeline_rules():
    rules = clean_schedule(raw(policy={"weight": "3.5", "dayparts": [
        part(), part(["5", "6"], "22:00", "02:00")]}))
    assert rules["policy"] == CategoryRule(weight=3.5, label="惠农政策", dayparts=(
        Daypart(weekdays=(0, 1, 2, 3, 4), start=time(7), end=time(9)),
        Daypart(weekdays=(5, 6), start=time(22), end=time(2))))
    assert rules["service"] == CategoryRule(weight=1.0, label="办事指南")
    assert list(rules) == list(CATEGORIES)


def test_categories_missing_from_storage_keep_their_default():
    rules = clean_schedule({"policy": {"weight": 5, "dayparts": []}})
    assert rules["policy"].weight == 5
    assert {c: r for c, r in rules.items() if c != "policy"} == {
        c: r for c, r in DEFAULT_CATEGORIES.items() if c != "policy"}


def test_weekdays_are_sorted_and_deduplicated():
    rules = clean_schedule(raw(notice={"weight": 1, "dayparts": [part(["6", "0", "0", "3"])]}))
    assert rules["notice"].dayparts[0].weekdays == (0, 3, 6)


def test_blank_daypart_rows_are_ignored():
    blank = {"weekdays": [], "start": "", "end": ""}
    rules = clean_schedule(raw(roster={"weight": 1, "dayparts": [blank, part(), blank]}))
    assert len(rules["roster"].dayparts) == 1


@pytest.mark.parametrize(("weight", "message"), [
    ("-1", "负数"),
    ("abc", "数字"),
    ("", "不播出填 0"),
    ("nan", "数字"),
    ("inf", "数字"),
    ("1000", "不能超过 100"),
    (None, "不播出填 0"),
])
def test_bad_weights_are_named_next_to_their_field(weight, message):
    errors = errors_of(raw(produce={"weight": weight, "dayparts": []}))
    assert message in errors["weight-produce"]
    assert set(errors) == {"weight-produce"}


@pytest.mark.parametrize(("daypart", "field", "message"), [
    (part(days=[]), "days", "请至少勾选一天"),
    (part(days=["7"]), "days", "周一到周日"),
    (part(days=["mon"]), "days", "周一到周日"),
    (part(start="7点"), "start", "时:分"),
    (part(start="24:00"), "start", "时:分"),
    (part(end="08:60"), "end", "时:分"),
    (part(start=""), "start", "开始时间"),
    (part(end=""), "end", "结束时间"),
    (part(start="08:00", end="08:00"), "end", "不能和开始时间相同"),
])
def test_bad_dayparts_are_named_next_to_their_field(daypart, field, message):
    blank = {"weekdays": [], "start": "", "end": ""}
    errors = errors_of(raw(service={"weight": 2, "dayparts": [blank, daypart]}))
    assert message in errors[f"dp-service-1-{field}"], errors


def test_every_problem_is_reported_at_once():
    errors = errors_of(raw(policy={"weight": "x", "dayparts": [part(days=[])]},
                           notice={"weight": "-2", "dayparts": [part(end="bad")]}))
    assert set(errors) == {"weight-policy", "dp-policy-0-days", "weight-notice",
                           "dp-notice-0-end"}


def test_all_weights_zero_is_refused():
    off = {"weight": 0, "dayparts": []}
    errors = errors_of({cat: off for cat in CATEGORIES})
    assert "至少让一类节目播出" in errors["weights"]


def test_only_the_board_on_air_is_allowed():
    off = {"weight": "0", "dayparts": []}
    rules = clean_schedule({**{cat: off for cat in CATEGORIES}, "whereabouts": {"weight": "1"}})
    assert rules["whereabouts"].weight == 1


def test_too_many_dayparts_in_storage_are_refused():
    errors = errors_of(raw(policy={"weight": 1, "dayparts": [part()] * (MAX_DAYPARTS + 1)}))
    assert "最多" in errors["dayparts-policy"]


@pytest.mark.parametrize("garbage", ["3", ["weight", 3], {"weight": 1, "dayparts": "07-09"},
                                     {"weight": 1, "dayparts": ["07:00-09:00"]}])
def test_garbage_in_storage_is_an_error_not_a_crash(garbage):
    assert errors_of(raw(policy=garbage))


# ---- storage and the form --------------------------------------------------------------


def test_storage_round_trips():
    rules = clean_schedule(raw(policy={"weight": 2.5, "dayparts": [part(), part([6], "18:00",
                                                                                  "00:00")]}))
    stored = schedule_json(rules)
    assert stored["policy"] == {"weight": 2.5, "dayparts": [
        {"weekdays": WEEKDAYS, "start": "07:00", "end": "09:00"},
        {"weekdays": [6], "start": "18:00", "end": "00:00"}]}
    assert clean_schedule(stored) == rules


def test_the_form_is_read_row_by_row():
    form = MultiDict([("weight-policy", "4"), ("dp-policy-1-days", "0"), ("dp-policy-1-days", "2"),
                      ("dp-policy-1-start", "06:30"), ("dp-policy-1-end", "08:00"),
                      ("weight-whereabouts", "1")])
    schedule = schedule_from_form(form)
    assert schedule["policy"]["weight"] == "4"
    assert len(schedule["policy"]["dayparts"]) == MAX_DAYPARTS
    assert schedule["policy"]["dayparts"][1] == {"weekdays": ["0", "2"], "start": "06:30",
                                                 "end": "08:00"}
    assert schedule["service"]["weight"] == ""  # not sent: an error, not a silent 0
    assert schedule["whereabouts"]["weight"] == "1"
    off = schedule_from_form(MultiDict([("weight-policy", "1")]))
    assert off["whereabouts"]["weight"] == ""  # the board has a weight like the rest


def test_a_channel_without_a_schedule_airs_the_defaults():
    assert rules_for(SimpleNamespace(schedule=None, slug="x")) == DEFAULT_CATEGORIES


def test_an_unusable_stored_schedule_falls_back_to_the_defaults():
    broken = SimpleNamespace(schedule={"policy": {"weight": -4}}, slug="x")
    assert rules_for(broken) == DEFAULT_CATEGORIES


# ---- airtime ---------------------------------------------------------------------------


def test_shares_follow_weights_when_everything_airs_all_day():
    airtime = weekly_airtime(DEFAULT_CATEGORIES)
    weights = {"policy": 3, "service": 2, "produce": 2, "notice": 2, "video": 1, "roster": 1,
               "whereabouts": 1}  # the board counts against its own share (issue 10)
    weights |= {cat: 1 for cat in CATEGORIES if cat not in weights}  # kinds added since
    total = sum(weights.values())
    assert airtime.shares == pytest.approx({c: 100 * w / total for c, w in weights.items()})
    assert airtime.idle == 0 and airtime.board


def test_a_weight_of_zero_takes_a_category_off_air():
    rules = clean_schedule(raw(produce={"weight": 0, "dayparts": []}))
    assert weekly_airtime(rules).shares["produce"] == 0
    assert weekly_airtime(rules).shares["policy"] == pytest.approx(100 / (len(CATEGORIES) - 1))


def test_dayparts_shape_the_weekly_share():
    # Policy only on weekday mornings (10 of 168 hours), nothing else on air: it has those
    # hours to itself and the ident fills the rest of the week.
    off = {"weight": 0, "dayparts": []}
    rules = clean_schedule({**{cat: off for cat in CATEGORIES},
                            "policy": {"weight": 3, "dayparts": [part()]}})
    airtime = weekly_airtime(rules)
    assert airtime.shares["policy"] == pytest.approx(100 * 10 / 168)
    assert airtime.idle == pytest.approx(100 * 158 / 168)
    assert not airtime.board


def test_a_window_past_midnight_counts_on_both_days():
    off = {"weight": 0, "dayparts": []}
    rules = clean_schedule({**{cat: off for cat in CATEGORIES},
                            "notice": {"weight": 1, "dayparts": [part([6], "22:00", "02:00")]}})
    # Sunday 22:00 to Monday 02:00 wraps round the end of the week: four hours in all.
    assert weekly_airtime(rules).shares["notice"] == pytest.approx(100 * 4 / 168)


def test_categories_share_the_hours_they_overlap():
    off = {"weight": 0, "dayparts": []}
    rules = clean_schedule({**{cat: off for cat in CATEGORIES},
                            "policy": {"weight": 3, "dayparts": []},
                            "service": {"weight": 1, "dayparts": [part(list(range(7)),
                                                                       "00:00", "12:00")]}})
    shares = weekly_airtime(rules).shares
    # Mornings split 3:1, afternoons and evenings all policy.
    assert shares["service"] == pytest.approx(50 * 1 / 4)
    assert shares["policy"] == pytest.approx(50 * 3 / 4 + 50)


# ---- words -----------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "text"), [
    ((0, 1, 2, 3, 4), "周一至周五"), ((5, 6), "周六、周日"), (tuple(range(7)), "每天"),
    ((0, 2, 4), "周一、周三、周五"), ((0, 1, 2, 4, 5), "周一至周三、周五、周六"),
])
def test_weekdays_in_words(days, text):
    assert describe_days(days) == text


def test_dayparts_and_rules_in_words():
    assert describe_daypart(Daypart((0, 1, 2, 3, 4), time(7), time(9))) == "周一至周五 07:00–09:00"
    assert describe_daypart(Daypart((5,), time(22), time(2))) == "周六 22:00–次日02:00"
    assert describe_daypart(Daypart((6,), time(18), time(0))) == "周日 18:00–24:00"
    assert describe_rule(CategoryRule(weight=2)) == "比例 2 · 全天"
    assert describe_rule(CategoryRule(weight=0)) == "不播出"
    assert describe_entry({"weight": 1.5, "dayparts": [part()]}) == (
        "比例 1.5 · 周一至周五 07:00–09:00")
    assert describe_entry("garbage") == "garbage"


def test_percentages_read_cleanly():
    assert [percent(v) for v in (40.0, 37.5, 2.2321, 0.0, 0.01)] == [
        "40%", "37.5%", "2.2%", "0%", "<0.1%"]


def test_summary_rows_say_share_and_dayparts():
    rows, idle = summary(clean_schedule(raw(policy={"weight": 3, "dayparts": [part()]},
                                            produce={"weight": 0, "dayparts": []})))
    by_cat = {row.category: row for row in rows}
    assert [row.category for row in rows] == list(CATEGORIES)
    assert by_cat["policy"].when == "周一至周五 07:00–09:00"
    assert by_cat["produce"].when == "不播出" and not by_cat["produce"].on_air
    assert by_cat["service"].when == "全天"
    assert by_cat["whereabouts"].share.endswith("%")
    assert idle == "0%"

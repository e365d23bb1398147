"""The overview's chart maths: shares from a known as-run log, a week of a known plan, on-air
minutes, calls per week, and the shapes drawn from them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from playlists.plan import CategoryRule, ChannelPlan, Daypart, PlannedItem, PlannedPage
from publisher.admin import charts
from publisher.admin.charts import AiredHour

T0 = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # Monday 08:00 in Shanghai
ZONE = "Asia/Shanghai"


def item(ref: str, category: str, **kw) -> PlannedItem:  # noqa: ANN003
    page = PlannedPage(key=ref, png="", unit="", duration_s=10.24)
    return PlannedItem(id=ref, version=1, category=category, title=ref, pages=(page,),
                       ready_at=T0 - timedelta(days=30), **kw)


def plan(*items: PlannedItem, **categories: CategoryRule) -> ChannelPlan:
    return ChannelPlan("a", "甲", ZONE, "720p", T0, items=items, categories=categories)


def test_aired_shares_are_seconds_per_category_over_every_channel():
    summed = [AiredHour(1, 0, "policy", 60), AiredHour(1, 1, "policy", 30),
              AiredHour(1, 0, "notice", 90), AiredHour(2, 5, "notice", 120)]
    assert charts.aired_shares(summed) == pytest.approx({"policy": 90 / 300,
                                                         "notice": 210 / 300})
    assert charts.aired_shares([]) == {}


def test_an_hour_is_shared_by_weight_among_what_may_air():
    morning = Daypart(weekdays=(0, 1, 2, 3, 4), start=time(8), end=time(12))
    p = plan(item("policy:1", "policy"), item("notice:1", "notice"),
             item("service:1", "service", valid_until=T0),  # expired: out of the share
             policy=CategoryRule(weight=3), notice=CategoryRule(weight=1, dayparts=(morning,)),
             service=CategoryRule(weight=5))
    assert charts.hour_shares(p, T0 + timedelta(minutes=30)) == {"policy": 0.75, "notice": 0.25}
    evening = T0 + timedelta(hours=10)  # 18:00 local: notices are off the air
    assert charts.hour_shares(p, evening) == {"policy": 1.0}
    off = plan(item("policy:1", "policy"), policy=CategoryRule(weight=0))
    assert charts.hour_shares(off, T0) == {"ident": 1.0}  # nothing eligible: the ident


def test_a_valid_alert_takes_the_whole_hour():
    alert = item("alert:1", "alert", interrupt=True, valid_from=T0,
                 valid_until=T0 + timedelta(hours=1))
    p = plan(item("policy:1", "policy"), alert)
    assert charts.hour_shares(p, T0 + timedelta(minutes=10)) == {"alert": 1.0}
    assert charts.hour_shares(p, T0 + timedelta(hours=2)) == {"policy": 1.0}


def test_the_week_timeline_follows_dayparts_and_validity_windows():
    morning = Daypart(weekdays=(0, 1, 2, 3, 4), start=time(8), end=time(12))
    # The notice runs out on Wednesday at 00:00 Shanghai time.
    until = datetime(2026, 12, 9, tzinfo=UTC) - timedelta(hours=8)
    p = plan(item("policy:1", "policy"), item("notice:1", "notice", valid_until=until),
             policy=CategoryRule(weight=1), notice=CategoryRule(weight=1, dayparts=(morning,)))
    week = charts.week_plan(p, date(2026, 12, 7))
    assert [d.day for d in week] == [date(2026, 12, 7) + timedelta(days=n) for n in range(7)]
    assert all(len(d.hours) == 24 for d in week)
    monday, tuesday, wednesday = week[:3]
    assert monday.hours[7] == {"policy": 1.0} and monday.hours[8] == {"policy": 0.5, "notice": 0.5}
    assert monday.hours_of("notice") == pytest.approx(2.0)  # 4 morning hours at half
    assert tuesday.hours_of("notice") == pytest.approx(2.0)
    assert wednesday.hours_of("notice") == 0 and wednesday.hours_of("policy") == pytest.approx(24)
    assert sum(monday.hours_of(c) for c in ("policy", "notice")) == pytest.approx(24)


def test_planned_shares_average_the_hours_of_every_plan():
    evening = Daypart(weekdays=(), start=time(18), end=time(0))  # 6 of 24 hours
    a = plan(item("policy:1", "policy"), item("notice:1", "notice"),
             notice=CategoryRule(weight=1, dayparts=(evening,)))
    b = plan(item("produce:1", "produce"))
    shares = charts.planned_shares([a, b], T0, T0 + timedelta(days=1))
    # a: policy alone 18 h, shared 6 h → 21/24 policy, 3/24 notice; b: produce all day.
    assert shares == pytest.approx({"policy": 21 / 48, "notice": 3 / 48, "produce": 0.5})
    assert charts.planned_shares([], T0, T0 + timedelta(days=1)) == {}


def test_on_air_minutes_carry_a_page_across_the_hour_and_show_gaps():
    summed = [AiredHour(1, 0, "policy", 3000), AiredHour(1, 0, "notice", 620),  # 20 s over
              AiredHour(1, 1, "policy", 3580),  # + the 20 s carried: a full hour
              AiredHour(1, 3, "policy", 1800),  # half an hour, then nothing
              AiredHour(2, 2, "policy", 3600)]  # another channel
    assert charts.on_air_minutes(summed, 1, hours=5) == [60.0, 60.0, 0.0, 30.0, 0.0]
    assert charts.on_air_minutes(summed, 2, hours=5) == [0.0, 0.0, 60.0, 0.0, 0.0]
    long_page = [AiredHour(1, 0, "video", 3600 + 5400)]  # 2.5 hours begun in hour 0
    assert charts.on_air_minutes(long_page, 1, hours=4) == [60.0, 60.0, 30.0, 0.0]
    # A clip that began before the chart runs 20 minutes into its first hour.
    before = [AiredHour(1, -1, "video", 3600 + 1200)]
    assert charts.on_air_minutes(before, 1, hours=2) == [20.0, 0.0]


def test_calls_per_week_start_on_monday():
    days = [date(2026, 12, 6), date(2026, 12, 7), date(2026, 12, 13), date(2026, 10, 1)]
    weeks = charts.weekly_counts(days, date(2026, 12, 10), weeks=3)
    assert weeks == [(date(2026, 11, 23), 0), (date(2026, 11, 30), 1), (date(2026, 12, 7), 2)]


def test_share_rows_put_the_plan_above_what_aired():
    rows = charts.share_rows({"policy": 0.5, "notice": 0.5}, {"notice": 0.25, "policy": 0.75})
    assert [r.category for r in rows] == ["policy", "notice"]
    policy = rows[0]
    assert policy.planned_bar.w == 0.5 * charts.SHARE_BAR_W
    assert policy.aired_bar.w == 0.75 * charts.SHARE_BAR_W
    assert policy.planned_bar.y < policy.aired_bar.y < rows[1].planned_bar.y
    alone = charts.share_rows({}, {"alert": 1.0})
    assert alone[0].planned is None and alone[0].planned_bar is None


def test_timeline_columns_stack_to_the_band_height():
    day = charts.PlanDay(date(2026, 12, 7), tuple({"policy": 0.75, "notice": 0.25}
                                                  for _ in range(24)))
    [(_, y0, rects)] = charts.timeline_rects([day])
    assert len(rects) == 48
    first = [r for r in rects if r.x == charts.TIMELINE_LABEL_W]
    assert [r.key for r in first] == ["policy", "notice"]  # legend order, top to bottom
    assert sum(r.h for r in first) == pytest.approx(charts.TIMELINE_BAND_H)
    assert first[0].y == y0 and first[1].y == pytest.approx(y0 + 0.75 * charts.TIMELINE_BAND_H)


def test_health_bars_are_as_tall_as_the_minutes_on_air():
    rects = charts.health_rects([60, 30, 0], y0=10)
    assert [r.key for r in rects] == ["full", "gap", "off"]
    assert rects[0].h == charts.HEALTH_BAR_H and rects[1].h == charts.HEALTH_BAR_H / 2
    assert all(r.y + r.h == 10 + charts.HEALTH_BAR_H for r in rects)  # one baseline


def test_call_bars_scale_to_the_busiest_week():
    rects = charts.calls_rects([(date(2026, 11, 30), 2), (date(2026, 12, 7), 4),
                                (date(2026, 12, 14), 0)])
    assert [r.h for r in rects] == [charts.CALLS_H / 2, charts.CALLS_H, 0]
    assert charts.calls_rects([(date(2026, 12, 7), 0)])[0].h == 0  # no division by zero


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


@pytest.mark.parametrize("fill", [*charts.PALETTE.values(), *charts.SPARE_FILLS,
                                  charts.OTHER_FILL])
def test_every_fill_has_3_to_1_contrast_on_the_white_card(fill):
    ratio = 1.05 / (_luminance(fill) + 0.05)
    assert ratio >= 3.0, f"{fill}: {ratio:.2f}"


def test_every_declared_kind_has_a_fill_of_its_own_in_declared_order():
    from renderer.kinds import KINDS

    fills = [charts.fill(kind) for kind in KINDS]
    assert len(set(fills)) == len(fills) and charts.OTHER_FILL not in fills
    assert charts.ordered(["ident", "unknown", "whereabouts", "policy"]) == [
        "policy", "whereabouts", "ident", "unknown"]


def test_an_hour_short_by_less_than_a_page_is_whole():
    rects = charts.health_rects([59.5, 58.9], 0)
    assert [r.key for r in rects] == ["full", "gap"]


def test_the_current_hour_is_judged_by_the_minutes_gone_so_far():
    now = T0 + timedelta(hours=2, minutes=20)
    assert charts.possible_minutes(T0, now, hours=4) == [60, 60, 20, 0]
    rects = charts.health_rects([60, 50, 20, 0], 0, charts.possible_minutes(T0, now, hours=4))
    assert [r.key for r in rects] == ["full", "gap", "full", "off"]


@given(st.lists(st.floats(min_value=0, max_value=24, allow_nan=False), min_size=1, max_size=12))
def test_tenths_add_up_to_the_rounded_total(values):  # noqa: ANN001
    from publisher.admin.charts import tenths_summing

    shown = tenths_summing(values)
    assert round(sum(shown), 1) == round(round(sum(values) * 10) / 10, 1)
    for value, tenth in zip(values, shown, strict=True):
        assert abs(value - tenth) < 0.1 + 1e-9


def test_a_days_row_adds_up_to_24_hours_with_many_categories():
    from publisher.admin.charts import PlanDay

    nine = [f"k{i}" for i in range(9)]
    day = PlanDay(date(2026, 12, 6), tuple({k: 1 / 9 for k in nine} for _ in range(24)))
    assert round(sum(day.hours_of(k) for k in nine), 6) == 24
    assert sum(round(day.hours_of(k), 1) for k in nine) != 24  # one by one: 24.3
    assert round(sum(day.tenths(nine).values()), 1) == 24.0

"""The channel timeline, with frozen times (2026-11-23 is a Monday, 11-27 a Friday)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from playlists.plan import CategoryRule, ChannelPlan, Daypart, PlannedItem, PlannedPage
from playlists.playstate import PlayState, PlayStateError
from playlists.timeline import (
    NothingToAirError,
    daypart_contains,
    next_slot,
    plan_day,
    simulate,
)

TZ = ZoneInfo("Asia/Shanghai")
EVERY_DAY = tuple(range(7))
PAGE_S = 10.24  # 16 units of 0.64 s


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=TZ)


MONDAY_10 = at(23, 10)
LONG_AGO = at(1)


def make_item(item_id: str, category: str, pages: int = 1, **kw) -> PlannedItem:
    version = kw.pop("version", 1)
    duration = kw.pop("duration_s", PAGE_S)
    return PlannedItem(
        id=item_id,
        version=version,
        category=category,
        title=f"标题 {item_id}",
        pages=tuple(
            PlannedPage(f"{item_id}-v{version}-p{n}", f"{n}.png", f"{n}.ts", duration, n, pages)
            for n in range(1, pages + 1)
        ),
        ready_at=kw.pop("ready_at", LONG_AGO),
        **kw,
    )


IDENT = make_item("ident", "ident", pages=2)


def make_plan(items, categories=None, filler=IDENT) -> ChannelPlan:
    return ChannelPlan(
        slug="jianshan",
        name="监山乡村频道",
        timezone="Asia/Shanghai",
        profile="1080p",
        generated_at=LONG_AGO,
        items=tuple(items),
        categories=categories or {},
        filler=filler,
    )


def window(start: int, end: int, weekdays=EVERY_DAY) -> Daypart:
    return Daypart(weekdays, time(start), time(end % 24))


def run(plan, start, end, state=None):
    return simulate(plan, start, end, state or PlayState())


def item_starts(slots):
    """(item id, version) of every slot that shows page 1, in order."""
    return [(s.item_id, s.version) for s in slots if s.page.page_no == 1]


# --- dayparts and validity ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("daypart", "local", "expected"),
    [
        (window(6, 9), at(23, 5, 59, 59), False),
        (window(6, 9), at(23, 6), True),
        (window(6, 9), at(23, 8, 59, 59), True),
        (window(6, 9), at(23, 9), False),
        (window(6, 9, weekdays=(5, 6)), at(23, 7), False),  # weekend only; a Monday
        (window(6, 9, weekdays=(5, 6)), at(28, 7), True),  # Saturday
        (window(22, 2, weekdays=(4,)), at(27, 21, 59), False),  # Friday night, before
        (window(22, 2, weekdays=(4,)), at(27, 23), True),
        (window(22, 2, weekdays=(4,)), at(28, 1, 59), True),  # after midnight: Saturday
        (window(22, 2, weekdays=(4,)), at(28, 2), False),
        (window(22, 2, weekdays=(4,)), at(28, 23), False),  # Saturday night is not Friday's
        (window(22, 2, weekdays=(4,)), at(27, 1), False),  # Friday 01:00 belongs to Thursday
        (Daypart((), time(6), time(9)), at(25, 7), True),  # no weekdays = every day
        (window(6, 6, weekdays=(0,)), at(24, 5, 59), True),  # start == end: 24 h from start
        (window(6, 6, weekdays=(0,)), at(24, 6), False),
    ],
)
def test_daypart_contains(daypart, local, expected):
    assert daypart_contains(daypart, local) is expected


def test_daypart_is_judged_in_channel_time():
    plan = make_plan(
        [make_item("produce:1", "produce")], {"produce": CategoryRule(dayparts=(window(6, 9),))}
    )
    shanghai_0830 = datetime(2026, 11, 23, 0, 30, tzinfo=ZoneInfo("UTC"))
    shanghai_1630 = datetime(2026, 11, 23, 8, 30, tzinfo=ZoneInfo("UTC"))
    assert next_slot(plan, shanghai_0830, PlayState())[0].item_id == "produce:1"
    assert next_slot(plan, shanghai_1630, PlayState())[0].item_id == "ident"


def test_a_day_follows_its_dayparts():
    categories = {
        "produce": CategoryRule(dayparts=(window(6, 9),)),
        "service": CategoryRule(dayparts=(window(9, 18),)),
        "policy": CategoryRule(dayparts=(window(18, 22),)),
    }
    items = [make_item(f"{c}:{n}", c, pages=n) for c in categories for n in (1, 2, 3)]
    slots = plan_day(make_plan(items, categories), date(2026, 11, 23), PlayState())

    hours = {"produce": range(6, 9), "service": range(9, 18), "policy": range(18, 22)}
    for slot in slots:
        local_hour = slot.start.astimezone(TZ).hour
        if slot.category == "ident":
            assert not any(local_hour in h for h in hours.values())
        else:
            assert local_hour in hours[slot.category], slot
    aired = {s.category for s in slots}
    assert aired == {"produce", "service", "policy", "ident"}
    assert slots[0].start == at(23) and slots[-1].end >= at(24)


def test_weekday_filter():
    categories = {"notice": CategoryRule(dayparts=(window(8, 20, weekdays=(5,)),))}
    plan = make_plan([make_item("notice:1", "notice")], categories)
    friday = plan_day(plan, date(2026, 11, 27), PlayState())
    saturday = plan_day(plan, date(2026, 11, 28), PlayState())
    assert {s.category for s in friday} == {"ident"}
    assert "notice" in {s.category for s in saturday}


def test_category_across_midnight():
    categories = {"notice": CategoryRule(dayparts=(window(22, 2, weekdays=(4,)),))}
    plan = make_plan([make_item("notice:1", "notice")], categories)
    slots, _ = run(plan, at(27, 20), at(28, 4))
    notice = [s.start for s in slots if s.category == "notice"]
    # Switches at a page boundary; the two-page ident finishes first.
    assert at(27, 22) <= min(notice) < at(27, 22) + timedelta(seconds=2 * PAGE_S)
    assert max(notice) < at(28, 2) <= max(notice) + timedelta(seconds=PAGE_S)


def test_validity_window_boundaries():
    start, end = at(23, 12), at(23, 13)
    plan = make_plan([make_item("notice:1", "notice", valid_from=start, valid_until=end)])
    tick = timedelta(microseconds=1)
    for now, expected in [
        (start - tick, "ident"),
        (start, "notice:1"),
        (end - tick, "notice:1"),
        (end, "ident"),
    ]:
        assert next_slot(plan, now, PlayState())[0].item_id == expected, now


def test_item_pages_air_consecutively_and_stop_when_invalid():
    item = make_item("policy:1", "policy", pages=3, valid_until=at(23, 10, 0, 15))
    plan = make_plan([item])
    slots, _ = run(plan, MONDAY_10, at(23, 10, 1))
    assert [(s.item_id, s.page.page_no) for s in slots[:3]] == [
        ("policy:1", 1),
        ("policy:1", 2),
        ("ident", 1),
    ]


# --- sharing airtime ------------------------------------------------------------------------


def shares(slots, exclude=("whereabouts", "ident")):
    airtime = Counter()
    for s in slots:
        if s.category not in exclude:
            airtime[s.category] += s.duration_s
    total = sum(airtime.values())
    return {c: t / total for c, t in airtime.items()}


def test_weights_share_airtime_not_page_counts():
    categories = {
        "policy": CategoryRule(weight=3),
        "service": CategoryRule(weight=2),
        "produce": CategoryRule(weight=1),
    }
    items = (
        [make_item(f"policy:{n}", "policy", pages=3) for n in range(4)]
        + [make_item(f"service:{n}", "service", pages=1) for n in range(6)]
        + [make_item(f"produce:{n}", "produce", duration_s=20.48) for n in range(3)]
        + [make_item("board", "whereabouts", pages=2)]
    )
    slots, _ = run(make_plan(items, categories), at(23), at(24))
    got = shares(slots)
    assert got["policy"] == pytest.approx(3 / 6, abs=0.02)
    assert got["service"] == pytest.approx(2 / 6, abs=0.02)
    assert got["produce"] == pytest.approx(1 / 6, abs=0.02)
    assert sum(s.duration_s for s in slots) >= 86_400


def test_whereabouts_board_takes_its_own_weighted_share():
    categories = {"policy": CategoryRule(weight=3), "whereabouts": CategoryRule(weight=1)}
    items = [make_item(f"policy:{n}", "policy", pages=3) for n in range(5)]
    items.append(make_item("board", "whereabouts", pages=3))
    slots, _ = run(make_plan(items, categories), MONDAY_10, at(23, 11))
    got = shares(slots, exclude=("ident",))
    assert got["whereabouts"] == pytest.approx(0.25, abs=0.03)
    assert got["policy"] == pytest.approx(0.75, abs=0.03)


def test_whereabouts_alone_beats_filler():
    plan = make_plan([make_item("board", "whereabouts")])
    slots, _ = run(plan, MONDAY_10, at(23, 10, 5))
    assert {s.category for s in slots} == {"whereabouts"}


def test_category_returning_to_air_does_not_burst():
    categories = {"produce": CategoryRule(dayparts=(window(6, 9),))}
    items = [make_item(f"policy:{n}", "policy") for n in range(3)]
    items += [make_item(f"produce:{n}", "produce") for n in range(3)]
    slots, _ = run(make_plan(items, categories), at(23), at(24, 9))
    for day in (23, 24):  # the second morning follows 21 hours of policy only
        morning = [s for s in slots if at(day, 6) <= s.start < at(day, 9)]
        assert shares(morning)["produce"] == pytest.approx(0.5, abs=0.02)
        first_minutes = [s for s in morning if s.start < at(day, 6, 5)]
        assert shares(first_minutes)["produce"] == pytest.approx(0.5, abs=0.06)


def test_priority_orders_the_rotation():
    items = [
        make_item("policy:a", "policy"),
        make_item("policy:b", "policy", priority=5),
        make_item("policy:c", "policy"),
    ]
    slots, _ = run(make_plan(items), MONDAY_10, at(23, 10, 2))
    assert [s.item_id for s in slots[:6]] == ["policy:b", "policy:a", "policy:c"] * 2


def test_weight_zero_takes_a_category_off_air():
    plan = make_plan([make_item("notice:1", "notice")], {"notice": CategoryRule(weight=0)})
    slot, _ = next_slot(plan, MONDAY_10, PlayState())
    assert slot.item_id == "ident"


# --- fresh items and versions ---------------------------------------------------------------


def test_fresh_item_airs_at_the_next_page_boundary_and_the_item_it_passed_carries_on():
    items = [make_item(f"policy:{n}", "policy", pages=2) for n in range(6)]
    plan = make_plan(items)
    before, state = run(plan, MONDAY_10, at(23, 10, 0, 45))
    assert [(s.item_id, s.page.page_no) for s in before][-1] == ("policy:2", 1)
    now = before[-1].end
    fresh = make_item("policy:new", "policy", ready_at=now)  # ranks after policy:5
    after, _ = run(replace(plan, items=(*items, fresh)), now, now + timedelta(minutes=3), state)

    assert [(s.item_id, s.page.page_no) for s in after[:3]] == [
        ("policy:new", 1),  # at the next page boundary: the page on screen was not cut
        ("policy:2", 2),  # the item it stepped in front of carries on
        ("policy:3", 1),
    ]
    assert [i for i, _ in item_starts(after)][:7] == [
        "policy:new",
        "policy:3",
        "policy:4",
        "policy:5",  # the rotation goes on where it was
        "policy:new",  # its normal place
        "policy:0",
        "policy:1",
    ]


def test_a_fresh_item_on_air_steps_aside_for_the_next_one_too():
    items = [make_item(f"policy:{n}", "policy", pages=2) for n in range(3)]
    first, state = next_slot(make_plan(items), MONDAY_10, PlayState())
    now = first.end
    a = make_item("notice:a", "notice", pages=2, ready_at=now)
    slot, state = next_slot(make_plan([*items, a]), now, state)
    b = make_item("notice:b", "notice", ready_at=slot.end)
    slots, _ = run(make_plan([*items, a, b]), slot.end, slot.end + timedelta(seconds=40), state)
    assert [(s.item_id, s.page.page_no) for s in [first, slot, *slots[:3]]] == [
        ("policy:0", 1),
        ("notice:a", 1),
        ("notice:b", 1),  # at the next page boundary again
        ("notice:a", 2),  # the latest pushed aside goes on first
        ("policy:0", 2),
    ]


def test_fresh_items_air_oldest_first_and_library_is_not_fresh_at_start():
    old = [make_item(f"service:{n}", "service") for n in range(3)]
    a = make_item("notice:a", "notice", ready_at=MONDAY_10 + timedelta(seconds=1))
    b = make_item("notice:b", "notice", ready_at=MONDAY_10 + timedelta(seconds=2))
    state = next_slot(make_plan(old), MONDAY_10, PlayState())[1]
    slots, _ = run(make_plan([*old, b, a]), at(23, 10, 0, 11), at(23, 10, 1), state)
    assert item_starts(slots)[:2] == [("notice:a", 1), ("notice:b", 1)]


def test_new_version_is_fresh_again():
    items = [make_item(f"policy:{n}", "policy") for n in range(5)]
    slots, state = run(make_plan(items), MONDAY_10, at(23, 10, 1))
    assert slots[-1].item_id == "policy:0"
    revised = make_item("policy:3", "policy", version=2, ready_at=at(23, 10, 1))
    plan = make_plan([*items[:3], revised, items[4]])
    slots, _ = run(plan, slots[-1].end, at(23, 10, 2), state)
    assert item_starts(slots)[:5] == [
        ("policy:3", 2),
        ("policy:1", 1),
        ("policy:2", 1),
        ("policy:3", 2),
        ("policy:4", 1),
    ]


def test_version_change_restarts_the_item_at_page_one():
    v1 = make_plan([make_item("policy:1", "policy", pages=3)])
    first, state = next_slot(v1, MONDAY_10, PlayState())
    second, state = next_slot(v1, first.end, state)
    assert [(s.version, s.page.page_no) for s in (first, second)] == [(1, 1), (1, 2)]
    v2 = make_plan([make_item("policy:1", "policy", pages=3, version=2, ready_at=first.end)])
    slots, _ = run(v2, second.end, second.end + timedelta(seconds=3 * PAGE_S), state)
    assert [(s.version, s.page.page_no) for s in slots] == [(2, 1), (2, 2), (2, 3)]


# --- alerts and filler ----------------------------------------------------------------------


def test_interrupt_takes_over_and_reverts_at_expiry():
    items = [make_item(f"policy:{n}", "policy", pages=3) for n in range(3)]
    alert = make_item(
        "alert:flood",
        "alert",
        pages=2,
        interrupt=True,
        valid_from=at(23, 10, 5),
        valid_until=at(23, 10, 10),
    )
    plan = make_plan([*items, alert])
    slots, _ = run(plan, MONDAY_10, at(23, 10, 15))

    during = [s for s in slots if at(23, 10, 5) <= s.start < at(23, 10, 10)]
    assert all(s.interrupt and s.item_id == "alert:flood" for s in during)
    assert [s.page.page_no for s in during[:4]] == [1, 2, 1, 2]
    assert during[0].start - at(23, 10, 5) < timedelta(seconds=PAGE_S)  # at the next page
    others = [s for s in slots if s not in during]
    assert not any(s.interrupt for s in others)
    assert {s.category for s in others if s.start >= at(23, 10, 10)} == {"policy"}
    resumed = next(s for s in others if s.start >= at(23, 10, 10))
    assert resumed.page.page_no == 1


def test_alerts_ignore_dayparts_and_loop_among_themselves():
    categories = {"alert": CategoryRule(dayparts=(window(6, 7),))}
    alerts = [make_item(f"alert:{n}", "alert", interrupt=True) for n in range(2)]
    plan = make_plan([make_item("policy:1", "policy"), *alerts], categories)
    slots, _ = run(plan, MONDAY_10, at(23, 10, 1))
    assert [s.item_id for s in slots[:4]] == ["alert:0", "alert:1"] * 2


def test_filler_loops_when_nothing_is_eligible():
    slots, _ = run(make_plan([]), MONDAY_10, at(23, 10, 1))
    assert [(s.item_id, s.page.page_no) for s in slots[:4]] == [("ident", 1), ("ident", 2)] * 2
    assert not any(s.interrupt for s in slots)


def test_no_filler_and_nothing_eligible_is_an_error():
    with pytest.raises(NothingToAirError, match="jianshan"):
        next_slot(make_plan([], filler=None), MONDAY_10, PlayState())


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        next_slot(make_plan([]), datetime(2026, 11, 23, 10), PlayState())


# --- state and determinism ------------------------------------------------------------------


def mixed_plan() -> ChannelPlan:
    categories = {
        "policy": CategoryRule(weight=2, dayparts=(window(18, 22),)),
        "produce": CategoryRule(dayparts=(window(6, 9),)),
    }
    items = [
        *(make_item(f"policy:{n}", "policy", pages=3) for n in range(3)),
        *(make_item(f"produce:{n}", "produce", priority=n) for n in range(3)),
        *(make_item(f"service:{n}", "service", pages=2) for n in range(4)),
        make_item("board", "whereabouts", pages=2),
        make_item(
            "alert:1", "alert", interrupt=True, valid_from=at(23, 7), valid_until=at(23, 7, 30)
        ),
    ]
    return make_plan(items, categories)


def test_state_round_trips_through_json():
    _, state = run(mixed_plan(), at(23, 6), at(23, 8, 0, 20))
    while state.current is None:
        _, state = next_slot(mixed_plan(), at(23, 8, 1), state)
    state = replace(state, resume=(state.current, state.current))
    assert state.lag and state.cursors
    again = PlayState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state
    assert PlayState.from_dict(PlayState().to_dict()) == PlayState()


@pytest.mark.parametrize(
    "raw", [{}, {"format": 2}, {"format": 1, "aired": {"x": [1, "2026-11-23T10:00:00"]}}]
)
def test_malformed_state_is_refused(raw):
    with pytest.raises(PlayStateError):
        PlayState.from_dict(raw)


def test_page_by_page_with_persisted_state_equals_a_simulation():
    plan = mixed_plan()
    simulated, final = run(plan, at(23, 6, 50), at(23, 8, 10))
    state, now, stepped = PlayState(), at(23, 6, 50), []
    while now < at(23, 8, 10):
        slot, state = next_slot(plan, now, state)
        state = PlayState.from_dict(json.loads(json.dumps(state.to_dict())))
        stepped.append(slot)
        now = slot.end
    assert stepped == simulated
    assert state == final


def test_simulation_is_deterministic_and_gapless():
    first = plan_day(mixed_plan(), date(2026, 11, 23), PlayState())
    second = plan_day(mixed_plan(), date(2026, 11, 23), PlayState())
    assert first == second
    assert all(a.end == b.start for a, b in zip(first, first[1:], strict=False))
    assert {s.category for s in first} >= {"policy", "produce", "service", "whereabouts"}


def test_fresh_items_go_before_the_board():
    items = [make_item(f"policy:{n}", "policy") for n in range(4)]
    items.append(make_item("board", "whereabouts", pages=3))
    first, state = next_slot(make_plan(items[-1:]), MONDAY_10, PlayState())
    assert first.item_id == "board"
    fresh = make_item("policy:new", "policy", ready_at=first.end)
    after, _ = run(make_plan([*items, fresh]), first.end, first.end + timedelta(seconds=30), state)
    assert [(s.item_id, s.page.page_no) for s in after[:3]] == [
        ("policy:new", 1),
        ("board", 2),
        ("board", 3),
    ]


def test_every_item_airs_once_per_turn_of_its_category():
    categories = {"policy": CategoryRule(weight=3), "produce": CategoryRule(weight=1)}
    items = [make_item(f"policy:{n}", "policy", pages=1 + n % 3) for n in range(5)]
    items += [make_item(f"produce:{n}", "produce", priority=n % 2) for n in range(6)]
    slots, _ = run(make_plan(items, categories), MONDAY_10, at(23, 11))
    for cat, count in (("policy", 5), ("produce", 6)):
        order = [i for i, _ in item_starts(slots) if i.startswith(cat)]
        for n in range(0, len(order) - count, count):
            assert len(set(order[n : n + count])) == count, order[n : n + count]


def test_max_gap_airs_an_item_before_it_waits_longer():
    categories = {"policy": CategoryRule(weight=20), "produce": CategoryRule(weight=1)}
    items = [make_item(f"policy:{n}", "policy") for n in range(3)]
    items += [make_item(f"produce:{n}", "produce") for n in range(8)]
    plan = make_plan(items, categories)
    unlimited, _ = run(plan, MONDAY_10, at(23, 11))
    limited, _ = run(replace(plan, max_gap_s=300.0), MONDAY_10, at(23, 11))

    def longest_gap(slots):
        last: dict[str, datetime] = {}
        gaps = [0.0]
        for s in slots:
            if s.item_id in last:
                gaps.append((s.start - last[s.item_id]).total_seconds())
            last[s.item_id] = s.start
        return max(gaps)

    assert longest_gap(unlimited) > 600
    assert longest_gap(limited) <= 300
    assert shares(limited)["policy"] > 0.5  # the weights still rule the rest of the time


def test_hour_of_airtime_keeps_the_schedule_within_three_points():
    weights = {"policy": 3, "service": 2, "produce": 2, "notice": 2, "roster": 1}
    weights["whereabouts"] = 1
    categories = {c: CategoryRule(weight=w) for c, w in weights.items()}
    items = [
        make_item(f"{c}:{n}", c, pages=1 + (n * 7) % 4, duration_s=PAGE_S * (1 + n % 3))
        for c in weights
        for n in range(1 if c in ("roster", "whereabouts") else 6)
    ]
    plan = replace(make_plan(items, categories), max_gap_s=1800.0)
    slots, _ = run(plan, MONDAY_10, at(23, 11))
    got = shares(slots, exclude=("ident",))
    total = sum(weights.values())
    for cat, weight in weights.items():
        assert got[cat] * 100 == pytest.approx(100 * weight / total, abs=3), cat

"""What a day of materialised lineup costs: CPU to compute, file size, time to read.

    .venv/bin/python bench/lineup_bench.py [--items 32]

Playout materialises FIRST_HOURS at once after any departure (a plan change, an approval, an
alert) and extends the lineup EXTEND_STEP at a time towards LINEUP_HOURS (playlists.lineup).
Printed side by side from one run: the cost of the first part, of each step, of a whole day at
once, the day's file size, and the web's read of it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playlists.lineup import (  # noqa: E402
    EXTEND_STEP,
    FIRST_HOURS,
    LINEUP_HOURS,
    extend,
    lineup_to_dict,
    load_lineup,
    materialise_with_state,
    save_lineup,
)
from playlists.plan import CategoryRule, ChannelPlan, PlannedItem, PlannedPage  # noqa: E402
from playlists.playstate import PlayState  # noqa: E402
from playlists.timeline import next_slot  # noqa: E402

T0 = datetime(2026, 11, 23, 2, 0, 0, 320000, tzinfo=UTC)
WEIGHTS = {"policy": 3, "service": 2, "produce": 2, "notice": 2, "roster": 1, "whereabouts": 1}


def library(items: int) -> ChannelPlan:
    """``items`` items over the categories, 1-4 pages of 10.24-40.96 s (narrated pages)."""
    made = []
    cats = list(WEIGHTS)
    for n in range(items):
        cat = cats[n % len(cats)]
        pages = 1 + n % 4
        seconds = 10.24 * (1 + n % 4)
        made.append(PlannedItem(
            f"{cat}:{n}", 1, cat, f"{cat} {n}",
            tuple(PlannedPage(f"{cat}-{n}-{p}", "", "u.ts", seconds, p, pages)
                  for p in range(1, pages + 1)),
            T0 - timedelta(days=1)))  # fmt: skip
    ident = PlannedItem("ident:x", 1, "ident", "频道", (PlannedPage("id", "", "u.ts", 5.12),),
                        T0 - timedelta(days=1))  # fmt: skip
    return ChannelPlan("bench", "频道", "Asia/Shanghai", "720p", T0, tuple(made),
                       {c: CategoryRule(weight=w) for c, w in WEIGHTS.items()}, ident,
                       max_gap_s=1800.0)  # fmt: skip


def cpu(fn):  # noqa: ANN001, ANN201
    start = time.process_time()
    result = fn()
    return result, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=32)
    args = parser.parse_args()
    plan = library(args.items)
    first, state = next_slot(plan, T0, PlayState())
    (part, tail), first_s = cpu(lambda: materialise_with_state(plan, first, state, FIRST_HOURS))
    steps = []
    while part.end - T0 < timedelta(hours=LINEUP_HOURS):
        (part, tail), took = cpu(lambda p=part, t=tail: extend(p, plan, t, EXTEND_STEP))
        steps.append(took)
    (day, _), day_s = cpu(lambda: materialise_with_state(plan, first, state, LINEUP_HOURS))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.lineup.json"
        _, write_s = cpu(lambda: save_lineup(day, path))
        size = path.stat().st_size
        start = time.perf_counter()
        load_lineup(path)
        read_s = time.perf_counter() - start
    same = part.entries[:len(day.entries)] == day.entries
    print(f"{args.items} items, {len(day.entries)} pages in {LINEUP_HOURS:.0f} h "
          f"({len(json.dumps(lineup_to_dict(day)))} chars)")
    print(f"first {FIRST_HOURS:.0f} h at once: {first_s * 1000:.0f} ms CPU")
    print(f"each {EXTEND_STEP} step: {', '.join(f'{s * 1000:.0f}' for s in steps)} ms CPU")
    print(f"a whole day at once: {day_s * 1000:.0f} ms CPU "
          f"({day_s / max(first_s, 1e-9):.1f}x the first part)")
    print(f"file: {size / 1e6:.2f} MB, written in {write_s * 1000:.0f} ms CPU, "
          f"read in {read_s * 1000:.0f} ms")
    print(f"stepwise lineup equals the day made at once: {same}")


if __name__ == "__main__":
    main()

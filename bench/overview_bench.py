"""The county overview's cost against the size of the county (issue 15).

    .venv/bin/python bench/overview_bench.py [--townships 15] [--page-s 10.24] [--runs 5]

A county of ``--townships`` townships, one channel each, with a day of as-run log made of
``--page-s`` pages (10.24 s: the shortest page, so the most rows) and a plan per channel;
the county administrator's ``GET /`` (the overview with its charts) is timed against a
township editor's ``GET /`` (their own dashboard, with their channel's charts) in one run,
on SQLite in a temporary directory. Prints medians and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CATEGORIES = ("policy", "service", "policy", "produce", "notice", "roster", "whereabouts")


def build(app, townships: int, page_s: float) -> None:  # noqa: ANN001
    from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan
    from publisher.extensions import db
    from publisher.models import AsRunEntry, Channel, Township, User

    now = datetime.now(UTC)
    with app.app_context():
        for n in range(townships):
            t = Township(name=f"乡镇{n:02d}", county="乾元县")
            db.session.add(t)
            db.session.flush()
            channel = Channel(township_id=t.id, slug=f"c{n:02d}", name=f"乡镇{n:02d}频道")
            db.session.add(channel)
            db.session.flush()
            if n == 0:
                editor = User(username="editor", display_name="editor", role="editor",
                              township_id=t.id)
                editor.set_password("secret-pass")
                db.session.add(editor)
            items = tuple(PlannedItem(f"{c}:{i}", 1, c, c, (PlannedPage(f"{i:064x}", "", "",
                                                                       page_s),),
                                      now - timedelta(days=1))
                          for i, c in enumerate(CATEGORIES))
            plan = ChannelPlan(channel.slug, channel.name, "Asia/Shanghai", "720p", now,
                               items=items)
            save_plan(plan, Path(app.config["PLAN_DIR"]) / f"{channel.slug}.json")
            start, step, rows = now - timedelta(days=1), 0, []
            while start < now:
                category = CATEGORIES[step % len(CATEGORIES)]
                rows.append(dict(channel_id=channel.id, aired_at=start,
                                 duration_ms=round(page_s * 1000), item_ref=f"{category}:1",
                                 version=1, category=category, title=category, page_no=1,
                                 page_count=1, page_key=f"{step:064x}"))
                start += timedelta(seconds=page_s)
                step += 1
            db.session.execute(AsRunEntry.__table__.insert(), rows)
        county = User(username="county", display_name="county", role="admin")
        county.set_password("secret-pass")
        db.session.add(county)
        db.session.commit()


def timed(app, username: str, runs: int) -> list[float]:  # noqa: ANN001
    import re

    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    client.post("/login", data={"username": username, "password": "secret-pass",
                                "csrf_token": csrf})
    assert client.get("/").status_code == 200  # warm: templates compiled, plans read
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get("/")
        out.append(time.perf_counter() - t0)
        assert response.status_code == 200
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--townships", type=int, default=15)
    parser.add_argument("--page-s", type=float, default=10.24)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from flask_migrate import upgrade

    from publisher import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATA_DIR": Path(tmp) / "data", "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                          "WTF_CSRF_ENABLED": True})
        with app.app_context():
            upgrade()
        build(app, args.townships, args.page_s)
        rows = round(86400 / args.page_s) * args.townships
        county = statistics.median(timed(app, "county", args.runs))
        township = statistics.median(timed(app, "editor", args.runs))
        print(f"{args.townships} townships, {rows} as-run rows in the last 24 h")
        print(f"county overview  GET /: median {county * 1000:.0f} ms")
        print(f"township editor  GET /: median {township * 1000:.0f} ms")
        print(f"ratio overview/township: {county / township:.1f}")


if __name__ == "__main__":
    main()

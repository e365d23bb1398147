"""Takeover benchmark: playout nodes sharing channels; kill -9 one and time each of its
channels until it is on air again from the others (#16).

    .venv/bin/python bench/takeover_bench.py [--channels 6] [--nodes 3] [--rounds 3]
                                             [--database sqlite|postgresql]

Real ``villagecast playout`` processes (tests/e2e/nodes.py) on one data directory and one
database (SQLite, or a throwaway PostgreSQL cluster, tests/pg.py). Each round waits until
every channel is on air and split between the nodes, kills one node, and measures, per
channel it held, the seconds from the kill to the first segment published by another node,
and whether the join was seamless or marked as a discontinuity. The node is then started
again and takes back its share (a handover, also timed: the channels that moved to it).

Baseline in the same run: a playlist advances once per segment (3.84 s) on its own, so
"on air again" can never be quicker than the wait for the next segment boundary.
Target (issue 16): every channel of a dead node on air again within 10 s.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.nodes import NodeSite, encode_pages  # noqa: E402

TARGET_S = 10.0


def _wait(condition, timeout_s: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _split(site: NodeSite, slugs: list[str], nodes: list[str]) -> bool:
    """Every channel held, every node holding its fair share and no more."""
    holders = site.holders()
    held = [holders.get(s, ("", 0))[0] for s in slugs]
    share = math.ceil(len(slugs) / len(nodes))
    return all(held) and all(0 < held.count(n) <= share for n in nodes)


def _joined(site: NodeSite, slug: str, before: int) -> str:
    after = [s for s in site.hls_history(slug) if s["seq"] > before]
    return "discontinuity" if after and after[0]["disc"] else "seamless"


def run(site: NodeSite, slugs: list[str], nodes: list[str], rounds: int) -> list[float]:
    for node in nodes:
        site.start(node)
    if not _wait(lambda: _split(site, slugs, nodes), 120):
        raise SystemExit(f"the channels were not split between {nodes} within 120 s")
    takeovers: list[float] = []
    for number in range(rounds):
        victim = nodes[number % len(nodes)]
        holders = site.holders()
        held = [s for s in slugs if holders[s][0] == victim]
        before = {s: site.last_sequence(s) for s in slugs}
        killed = time.monotonic()
        site.kill(victim)
        back: dict[str, float] = {}
        while len(back) < len(held) and time.monotonic() - killed < 60:
            for slug in held:
                if slug not in back and site.last_sequence(slug) > before[slug]:
                    back[slug] = time.monotonic() - killed
            time.sleep(0.05)
        print(f"round {number + 1}: killed {victim} holding {len(held)} channel(s)")
        for slug in held:
            took = back.get(slug)
            takeovers.append(took if took is not None else float("inf"))
            print(f"  {slug:>8}: on air again after "
                  f"{'never' if took is None else f'{took:5.1f} s'} "
                  f"({_joined(site, slug, before[slug])}; "
                  f"now on {site.holders()[slug][0]})")
        # Every other channel never stopped.
        others = [s for s in slugs if s not in held]
        stalled = [s for s in others if site.last_sequence(s) <= before[s]]
        print(f"  others ({len(others)}) all advancing: {not stalled}")
        started = time.monotonic()
        site.start(victim)
        moved = _wait(lambda: _split(site, slugs, nodes), 60)
        print(f"  {victim} restarted: shares even again after "
              f"{time.monotonic() - started:.1f} s" if moved else "  shares not even in 60 s")
    return takeovers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--channels", type=int, default=6)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    args = parser.parse_args()
    slugs = [f"ch{n:02d}" for n in range(args.channels)]
    nodes = [f"node-{n + 1}" for n in range(args.nodes)]
    with tempfile.TemporaryDirectory(prefix="takeover-bench-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        cluster = None
        if args.database == "postgresql":
            from tests.pg import PostgresCluster

            cluster = PostgresCluster().start()
            database = cluster.create_database("takeover")
        else:
            database = f"sqlite:///{root / 'shared.db'}"
        _migrate(root, database)
        print(f"{args.channels} channels, {args.nodes} nodes, {args.database}; encoding pages …")
        site = NodeSite(root / "shared", database).create(
            encode_pages(root, slugs))
        try:
            takeovers = run(site, slugs, nodes, args.rounds)
        finally:
            site.close()
            if cluster:
                cluster.stop()
    finite = [t for t in takeovers if t != float("inf")]
    print(f"\nchannels taken over: {len(takeovers)}; on air again: median "
          f"{statistics.median(finite):.1f} s, worst {max(takeovers):.1f} s "
          f"(target {TARGET_S:.0f} s; one segment is 3.84 s)")
    print(f"within target: {sum(t <= TARGET_S for t in takeovers)}/{len(takeovers)}")


def _migrate(root: Path, database: str) -> None:
    from flask_migrate import upgrade

    from publisher import create_app
    from publisher.extensions import db

    app = create_app({"DATA_DIR": root / "shared", "SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        upgrade()
        db.engine.dispose()


if __name__ == "__main__":
    main()

"""Playout nodes sharing channels through one database and one data directory (#16).

Used by the takeover test and ``bench/takeover_bench.py``: real ``villagecast playout``
processes, each with its own node id, airing synthetic channels whose pages are encoded
once (each channel a colour of its own, so a decoded frame says whose page it is).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
READY = datetime(2026, 1, 1, tzinfo=UTC)


def page_colour(index: int) -> tuple[int, int, int]:
    """A background far from every other channel's (index 0: (40, 60, 90))."""
    return (40 + (120 * index) % 200, 60 + (70 * index) % 160, 90 + (50 * index) % 140)


def encode_pages(root: Path, slugs: list[str]) -> dict[str, list]:
    """Two items of two 1.28 s pages for each channel, encoded into ``root/cache``."""
    from playlists.plan import PlannedItem, PlannedPage
    from renderer import encode

    enc = encode.PROFILES["720p"]
    items: dict[str, list] = {}
    for index, slug in enumerate(slugs):
        items[slug] = []
        for item_no in (1, 2):
            made = []
            for page_no in (1, 2):
                png = root / f"{slug}-{item_no}-{page_no}.png"
                img = Image.new("RGB", (enc.width, enc.height), page_colour(index))
                ImageDraw.Draw(img).text((80, 80), f"{slug} {item_no} {page_no}/2", fill="white")
                img.save(png)
                key = f"nodes-{slug}-{item_no}-{page_no}".encode().hex()
                unit = encode.ensure_unit(png, key, root / "cache", enc)
                made.append(PlannedPage(key, str(png), str(unit), 1.28, page_no, 2))
            items[slug].append(PlannedItem(f"notice:{slug}{item_no}", 1, "notice",
                                           f"{slug} 通知 {item_no}", tuple(made), READY))
    return items


@dataclass
class NodeSite:
    """The shared data directory and database, and the playout nodes started on them."""

    data_dir: Path
    database: str
    app: object = None
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def create(self, pages: dict[str, list]) -> NodeSite:
        """A township with one enabled channel per entry of ``pages``, and their plans. The
        app is built here first, so the nodes find the secret and key files instead of
        racing to create them."""
        from playlists.plan import ChannelPlan, save_plan
        from publisher import create_app
        from publisher.extensions import db
        from publisher.models import Channel, Township

        self.app = create_app({"DATA_DIR": self.data_dir,
                               "SQLALCHEMY_DATABASE_URI": self.database})
        with self.app.app_context():
            town = Township(name="监山乡", county="乾元县")
            db.session.add(town)
            db.session.flush()
            for slug in pages:
                db.session.add(Channel(township_id=town.id, slug=slug, name=f"{slug} 频道"))
            db.session.commit()
            db.session.remove()
        # What every feed makes first (the slate, the music bed) is made once here, as a
        # site's first feed would: six feeds making it at once would take minutes.
        from renderer import audio, encode

        enc = encode.PROFILES["720p"]
        cache = Path(self.app.config["CACHE_DIR"])
        encode.ensure_slate_unit(cache, enc)
        audio.ensure_bed(cache, enc.audio_kbps)
        plan_dir = Path(self.app.config["PLAN_DIR"])
        plan_dir.mkdir(parents=True, exist_ok=True)
        for slug, items in pages.items():
            save_plan(ChannelPlan(slug, f"{slug} 频道", "Asia/Shanghai", "720p", READY,
                                  tuple(items)), plan_dir / f"{slug}.json")
        return self

    def start(self, node: str) -> None:
        env = {**os.environ, "VILLAGECAST_DATA": str(self.data_dir),
               "DATABASE_URL": self.database, "VILLAGECAST_NODE_ID": node,
               "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        log = (self.data_dir / f"{node}.log").open("ab")
        self.procs[node] = subprocess.Popen([str(BIN / "villagecast"), "playout"], cwd=ROOT,
                                            env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def kill(self, node: str) -> None:
        """kill -9, as a machine dying."""
        os.killpg(self.procs[node].pid, signal.SIGKILL)
        self.procs[node].wait(10)

    def close(self) -> None:
        from publisher.extensions import db

        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        if self.app is not None:
            with self.app.app_context():
                db.engine.dispose()

    def log(self, node: str) -> str:
        return (self.data_dir / f"{node}.log").read_text("utf-8", "replace")

    def holders(self) -> dict[str, tuple[str, int]]:
        """Each channel's lease: (holder, generation)."""
        from sqlalchemy import select

        from publisher.extensions import db
        from publisher.models import Lease

        with self.app.app_context():
            rows = db.session.execute(select(Lease.name, Lease.holder, Lease.generation)).all()
            db.session.remove()
        return {name.removeprefix("channel:"): (holder, gen) for name, holder, gen in rows}

    def hls_history(self, slug: str) -> list[dict]:
        try:
            raw = json.loads((self.data_dir / "hls" / slug / "hls-state.json").read_text())
        except (OSError, ValueError):
            return []
        return raw["segments"]

    def last_sequence(self, slug: str) -> int:
        history = self.hls_history(slug)
        return history[-1]["seq"] if history else -1

    def as_run(self, slug: str) -> list[tuple[datetime, int]]:
        from sqlalchemy import select

        from publisher.extensions import db
        from publisher.models import AsRunEntry, Channel

        with self.app.app_context():
            rows = db.session.execute(
                select(AsRunEntry.aired_at, AsRunEntry.duration_ms)
                .join(Channel, Channel.id == AsRunEntry.channel_id)
                .where(Channel.slug == slug).order_by(AsRunEntry.aired_at)).all()
            db.session.remove()
        return [(at, ms) for at, ms in rows]

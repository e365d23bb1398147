"""Two real ``villagecast worker`` processes share the rendering through leases; the one
rendering an approved item is killed with everything it started, and the other renders
the item once the lease has expired (#16)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.e2e.stream import wait_for
from tests.publisher.test_clock_pipeline import POLICY

pytestmark = pytest.mark.ffmpeg
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _kill_tree(pid: int) -> None:
    """kill -9 a process and every process it started (as a machine dying would): the
    render child runs in a session of its own, so the group alone is not enough."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    for child in children.stdout.split():
        _kill_tree(int(child))
    with contextlib.suppress(ProcessLookupError):
        os.killpg(os.getpgid(pid), signal.SIGKILL)


def test_a_killed_workers_render_is_done_by_the_other(tmp_path: Path, database_uri: str) -> None:
    from publisher import create_app
    from publisher.extensions import db
    from publisher.models import Channel, ContentVersion, Lease, RenderState, Township, User
    from publisher.services import content

    data_dir = tmp_path / "shared"
    app = create_app({"DATA_DIR": data_dir, "SQLALCHEMY_DATABASE_URI": database_uri})
    with app.app_context():
        town = Township(name="监山乡", county="乾元县")
        db.session.add(town)
        db.session.flush()
        db.session.add(Channel(township_id=town.id, slug="jianshan", name="监山乡村频道"))
        users = []
        for name, role in (("editor", "editor"), ("reviewer", "reviewer")):
            user = User(username=name, display_name=name, role=role, township_id=town.id)
            user.set_password("secret-pass")
            db.session.add(user)
            users.append(user)
        db.session.commit()
        item = content.create_item(users[0], town, "policy", POLICY)
        content.submit(users[0], item)
        content.approve(users[1], item)
        version_id = db.session.scalar(select(ContentVersion.id).where(
            ContentVersion.item_id == item.id).order_by(ContentVersion.id.desc()))
        db.session.remove()
    name = f"render:{version_id}"

    def lease() -> tuple[str, int] | None:
        with app.app_context():
            row = db.session.get(Lease, name)
            found = (row.holder, row.generation) if row else None
            db.session.remove()
        return found

    def version():  # noqa: ANN202
        with app.app_context():
            found = db.session.get(ContentVersion, version_id)
            db.session.expunge_all()
            db.session.remove()
        return found

    env = {**os.environ, "VILLAGECAST_DATA": str(data_dir), "DATABASE_URL": database_uri,
           "VILLAGECAST_CONTENT_WORKERS": "1",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    procs: dict[str, subprocess.Popen] = {}

    def start(node: str) -> None:
        log = (tmp_path / f"{node}.log").open("wb")
        procs[node] = subprocess.Popen([str(BIN / "villagecast"), "worker"], cwd=ROOT,
                                       env={**env, "VILLAGECAST_NODE_ID": node}, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)

    try:
        start("worker-a")
        wait_for(lambda: lease() and lease()[0] == "worker-a", 60, "worker-a rendering")
        start("worker-b")
        time.sleep(1.0)  # b is up and finds the work taken
        assert lease()[0] == "worker-a"
        assert version().render_state == RenderState.QUEUED  # a is still at it
        killed_at = time.monotonic()
        _kill_tree(procs["worker-a"].pid)
        procs["worker-a"].wait(10)
        # b takes the work over once a's lease has expired (6 s), and renders it whole.
        wait_for(lambda: lease() and lease()[0] == "worker-b", 20, "worker-b taking over")
        took = time.monotonic() - killed_at
        wait_for(lambda: version().render_state != RenderState.QUEUED, 180,
                 "the item rendered by worker-b")
        print(f"worker takeover: claimed {took:.1f} s after kill -9, "
              f"rendered {time.monotonic() - killed_at:.1f} s after")
        done = version()
        assert done.render_state == RenderState.READY, done.render_error
        assert done.pages["jianshan"]  # the channel's pages, encoded
        for page in done.pages["jianshan"]:
            assert Path(page["unit"]).is_file()
        log_b = (tmp_path / "worker-b.log").read_text("utf-8", "replace")
        assert f"{name} done on worker-b" in log_b
        assert f"{name} done" not in (tmp_path / "worker-a.log").read_text("utf-8", "replace")
        wait_for(lambda: lease() is None, 10, "the finished job's lease row gone")
        # A clean stop takes the worker off the live list.
        procs["worker-b"].send_signal(signal.SIGTERM)
        assert procs["worker-b"].wait(60) == 0
        with app.app_context():
            from publisher.models import LeaseNode

            live = db.session.scalars(select(LeaseNode.node).where(LeaseNode.role == "worker"))
            assert sorted(live) == ["worker-a"]  # only the dead one, until it is forgotten
            db.session.remove()
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                _kill_tree(proc.pid)
                proc.wait(10)
        with app.app_context():
            db.engine.dispose()
    assert re.search(r"content worker worker-b started", log_b)

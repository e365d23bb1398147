"""deploy/nginx/villagecast.conf serves live HLS from the data directory (#16): Debian's
nginx on a loopback port, the repo's configuration with its paths filled in, a real feed
writing the channel."""

from __future__ import annotations

import http.server
import os
import re
import shutil
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.stream import wait_for
from tests.e2e.supervised import free_port

pytestmark = pytest.mark.ffmpeg
ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "nginx" / "villagecast.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SLUG = "demo"
_SEGMENT = re.compile(r"^(seg-\d+\.ts)$", re.M)


def site_config(hls_dir: Path, port: int, web_port: int) -> str:
    """The repo's server block with this test's data directory, port and web app."""
    text = CONFIG.read_text()
    for production, here in (("/var/lib/villagecast/hls/", f"{hls_dir}/"),
                             ("listen 80;", f"listen 127.0.0.1:{port};"),
                             ("listen [::]:80;\n", ""),
                             ("server 127.0.0.1:8000;", f"server 127.0.0.1:{web_port};")):
        assert production in text, production
        text = text.replace(production, here)
    return text


# The channel, the stand-in app and nginx are started once for the module: the tests only
# read from them, and the channel's first segments are the slow part.
@pytest.fixture(scope="module")
def live_channel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One channel airing in a thread (the real feed): yields its HLS directory root."""
    from playlists.plan import ChannelPlan, PlannedItem, PlannedPage, save_plan
    from playlists.playout import run_channel
    from playlists.timeline import next_slot
    from renderer import encode

    tmp_path = tmp_path_factory.mktemp("nginx-channel")
    enc = encode.PROFILES["720p"]
    png = tmp_path / "page.png"
    Image.new("RGB", (enc.width, enc.height), (30, 90, 150)).save(png)
    unit = encode.ensure_unit(png, "nginx-page", tmp_path / "cache", enc)
    ready = datetime(2026, 1, 1, tzinfo=UTC)
    page = PlannedPage("nginx-page", str(png), str(unit), 2.56)
    plan = ChannelPlan(SLUG, "演示频道", "Asia/Shanghai", "720p", ready,
                       (PlannedItem("notice:1", 1, "notice", "通知", (page,), ready),))
    save_plan(plan, tmp_path / "plan.json")
    hls = tmp_path / "hls"
    stop = threading.Event()
    thread = threading.Thread(target=run_channel, daemon=True, args=(
        tmp_path / "plan.json", hls, None, tmp_path / "cache", next_slot, lambda _: None, stop))
    thread.start()
    try:
        yield hls
    finally:
        stop.set()
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def web_app() -> Iterator[int]:
    """A stand-in for the web app behind nginx: says who it is and what it was asked."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            body = f"web app: {self.path} for {self.headers.get('X-Forwarded-For')}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory, live_channel: Path,
          web_app: int) -> Iterator[str]:
    """Debian's nginx with the repo's configuration on a loopback port; the base URL."""
    port = free_port()
    prefix = tmp_path_factory.mktemp("nginx")
    (prefix / "villagecast.conf").write_text(site_config(live_channel, port, web_app))
    # Workers run as root here only because the test's files live in root's private tmp.
    user = "user root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {prefix}/nginx.pid;\n"
        f"error_log {prefix}/error.log warn;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n  access_log {prefix}/access.log;\n"
        + "".join(f"  {kind}_temp_path {prefix}/{kind};\n"
                  for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  include {prefix}/villagecast.conf;\n}}\n")
    check = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _get(base + "/live/none/x")[0] == 404, 20, "nginx answering")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)


def _get(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method,
                                     headers={"Origin": "https://player.example"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), b""
    except OSError:
        return 0, {}, b""


def test_nginx_serves_the_live_channel_from_the_data_directory(nginx: str,
                                                               live_channel: Path) -> None:
    playlist_url = f"{nginx}/live/{SLUG}/index.m3u8"

    def listing_two() -> bytes | None:
        status, _, body = _get(playlist_url)
        return body if status == 200 and len(_SEGMENT.findall(body.decode())) >= 2 else None

    first = wait_for(listing_two, 60, "a playlist with two segments through nginx").decode()
    status, headers, body = _get(playlist_url)
    assert status == 200
    assert headers["Content-Type"] == "application/vnd.apple.mpegurl"
    assert headers["Cache-Control"] == "public, max-age=1, no-transform"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "Server" not in headers or "/" not in headers["Server"]  # no version shown

    # Live: the playlist nginx serves moves on as the feed publishes.
    newest = _SEGMENT.findall(first)[-1]
    wait_for(lambda: newest not in _get(playlist_url)[2].decode().splitlines()[-1:], 20,
             "the playlist advancing")

    # A segment: the file on disk, as video/mp2t, cacheable for ever, and whole.
    name = _SEGMENT.findall(body.decode())[-1]
    status, headers, segment = _get(f"{nginx}/live/{SLUG}/{name}")
    assert status == 200
    assert headers["Content-Type"] == "video/mp2t"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert segment == (live_channel / SLUG / name).read_bytes()
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
         "stream=nb_read_frames", "-of", "csv=p=0", "-"], input=segment, capture_output=True,
        check=True, timeout=60)
    assert {int(n) for n in probe.stdout.split()} == {96}  # 3.84 s at 25 fps

    # A web player's preflight is answered without the app.
    status, headers, _ = _get(playlist_url, method="OPTIONS")
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in headers["Access-Control-Allow-Methods"]


def test_nothing_else_in_the_hls_folders_is_served(nginx: str) -> None:
    for path in (f"/live/{SLUG}/", f"/live/{SLUG}/hls-state.json", "/live/",
                 f"/live/{SLUG}/seg-1.ts.tmp", f"/live/{SLUG}/../{SLUG}/index.m3u8x",
                 "/live/Demo/index.m3u8"):
        status, _, body = _get(nginx + path)
        assert status == 404, path
        assert b"Index of" not in body
    # A path that climbs out of /live/ is normalised first: it goes to the app (which has no
    # such page), never to the disk.
    status, _, body = _get(f"{nginx}/live/%2e%2e/etc/passwd")
    assert body.startswith(b"web app: /live/%2e%2e/etc/passwd")


def test_everything_else_goes_to_the_web_app(nginx: str) -> None:
    status, _, body = _get(f"{nginx}/login?next=/")
    assert status == 200
    assert body == b"web app: /login?next=/ for 127.0.0.1"

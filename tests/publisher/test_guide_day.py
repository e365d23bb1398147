"""The guide covers a day ahead, read from playout's lineup, and passes the XMLTV validator."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.publisher.test_content_support import login, office  # noqa: F401 - fixtures


def _day_lineup(app, now: datetime, hours: float = 24.0) -> None:  # noqa: ANN001
    """The channel's plan and the lineup its playout materialises from ``now`` (a day)."""
    from playlists.lineup import lineup_path, materialise, save_lineup
    from playlists.plan import save_plan
    from playlists.playstate import PlayState
    from playlists.timeline import next_slot
    from tests.playlists.test_lineup import library

    plan = library()
    first, state = next_slot(plan, now, PlayState())
    save_plan(plan, Path(app.config["PLAN_DIR"]) / "jianshan.json")
    save_lineup(materialise(plan, first, state, hours),
                lineup_path(Path(app.config["STATUS_DIR"]), "jianshan"))


def _stamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d%H%M%S %z")


def test_the_guide_lists_the_next_24_hours_in_half_hour_blocks(app, client, office, tmp_path):  # noqa: F811
    now = datetime.now(UTC).replace(microsecond=0)
    _day_lineup(app, now)
    body = client.get("/epg.xml").get_data()
    programmes = ET.fromstring(body).findall("programme")
    starts = [_stamp(p.get("start")) for p in programmes]
    stops = [_stamp(p.get("stop")) for p in programmes]
    assert max(stops) - now >= timedelta(hours=23, minutes=30)
    assert len(programmes) >= 48  # half-hour blocks, back to back
    # a block ends with the end of the last page that began in it
    assert all(b - a <= timedelta(minutes=31) for a, b in zip(starts, stops, strict=True))
    assert all(p.findtext("desc") for p in programmes)

    if shutil.which("tv_validate_file") is None:
        pytest.skip("xmltv-util not installed")
    path = tmp_path / "epg.xml"
    path.write_bytes(body)
    env = {**os.environ, "XMLTV_SUPPLEMENT": "/usr/share/xmltv"}  # the DTD, not the network
    result = subprocess.run(["tv_validate_file", str(path)], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_guide_is_read_again_only_when_playout_rewrites_the_lineup(app, office):  # noqa: F811
    from publisher.services import guide

    now = datetime.now(UTC).replace(microsecond=0)
    _day_lineup(app, now, hours=1)
    with app.app_context():
        first = guide.lineup("jianshan")
        assert guide.lineup("jianshan") is first  # unchanged file: not parsed again
        _day_lineup(app, now + timedelta(seconds=10.24), hours=1)
        again = guide.lineup("jianshan")
        assert again is not first and again.built_at > first.built_at


def test_the_channel_page_lists_the_same_day_of_blocks_as_the_guide(app, client, login, office):  # noqa: F811
    now = datetime.now(UTC).replace(microsecond=0)
    _day_lineup(app, now)
    blocks = ET.fromstring(client.get("/epg.xml").get_data()).findall("programme")
    page = login("editor").text("/channel")
    day = page[page.index('id="guide-day"'):].split("</table>", 1)[0]
    rows = day.count("<tr>") - 1  # the header row
    assert rows == len(blocks) >= 48
    assert blocks[-1].findtext("title") in day

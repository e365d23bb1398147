"""Narration: what each page says, the pluggable voice, and the render job's tracks."""

from __future__ import annotations

import json
import sys
import wave
from datetime import date
from pathlib import Path

import pytest

from renderer import audio, speech
from renderer.item_parser import parse_item
from renderer.items import WhereaboutsItem, WhereaboutsRow
from renderer.job import request_for, run
from renderer.narration import whereabouts_summary
from renderer.page import ReadingPace
from renderer.render import render_item
from renderer.theme import Branding
from tests.renderer.samples import ALERT, NOTICE, POLICY, WHERE

TODAY = date(2026, 11, 22)
BRANDING = Branding("监山乡村频道", "监山乡", None, "#0B3D5C", "#F2C14E")


def _scripts(item: dict, tmp_path: Path) -> list[str]:
    pages = render_item(item, profile="720p", branding=BRANDING, cache_dir=tmp_path,
                        today=TODAY)  # fmt: skip
    return [p.script for p in pages]


def test_whereabouts_summary_counts_cadres_by_status() -> None:
    rows = [WhereaboutsRow(f"干部{i}", status="在村走访") for i in range(9)]
    rows += [WhereaboutsRow("甲", status="乡机关值班"), WhereaboutsRow("乙", status="未报告")]
    item = WhereaboutsItem(tuple(rows), date=TODAY)
    assert whereabouts_summary(item, TODAY) == "今天有9位干部在村走访，1位乡机关值班，1位未报告。"


def test_a_table_reads_its_summary_on_the_first_page_only(tmp_path: Path) -> None:
    scripts = _scripts(WHERE, tmp_path)
    assert scripts[0].startswith("今天有") or scripts[0][0].isdigit()
    assert all(s == "" for s in scripts[1:])
    assert parse_item(WHERE).rows  # the sample has rows to count


def test_a_document_reads_title_and_facts_first_then_the_body_it_shows(tmp_path: Path) -> None:
    scripts = _scripts(POLICY, tmp_path)
    assert POLICY["title"] in scripts[0]
    assert "补贴标准" in scripts[0]
    assert len(scripts) > 1 and all(POLICY["title"] not in s for s in scripts[1:])
    assert "享受对象" in "".join(scripts)


def test_a_notice_and_an_alert_are_read(tmp_path: Path) -> None:
    notice = _scripts(NOTICE, tmp_path)
    assert notice[0].startswith(NOTICE.get("category", "通知公告"))
    alert = _scripts(ALERT, tmp_path)
    assert alert[0].startswith("紧急通知。")
    assert ALERT["title"] in alert[0]


def _fake_wav(path: Path, seconds: float = 1.0) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x10\x20" * round(16000 * seconds))


def test_a_command_template_voice_is_run_and_cached(tmp_path: Path) -> None:
    engine = tmp_path / "engine.py"
    engine.write_text(
        "import sys, wave\n"
        "text, out = open(sys.argv[1], encoding='utf-8').read(), sys.argv[2]\n"
        "w = wave.open(out, 'wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)\n"
        "w.writeframes(b'\\x10\\x20' * 1600 * len(text)); w.close()\n"
        "open(sys.argv[3], 'a').write(text)\n"
    )
    log = tmp_path / "said.txt"
    voice = speech.Voice(f"{sys.executable} {engine} {{text_file}} {{out}} {log}")
    first = speech.synthesise("你好", voice, tmp_path / "cache")
    again = speech.synthesise("你好", voice, tmp_path / "cache")
    assert first == again and first.stat().st_size > 44
    assert log.read_text() == "你好"  # synthesised once


def test_an_entry_point_voice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "county_voice.py").write_text(
        "import wave\n"
        "def speak(text, out):\n"
        "    w = wave.open(str(out), 'wb'); w.setnchannels(1); w.setsampwidth(2)\n"
        "    w.setframerate(16000); w.writeframes(b'\\x10\\x20' * 16000); w.close()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    voice = speech.Voice.from_settings(entry_point="county_voice:speak", voice_id="v2")
    assert speech.synthesise("你好", voice, tmp_path / "cache").stat().st_size > 44


def test_a_failing_engine_raises_speech_error(tmp_path: Path) -> None:
    voice = speech.Voice(f"{sys.executable} -c 'import sys; sys.exit(3)' {{out}}")
    with pytest.raises(speech.SpeechError):
        speech.synthesise("你好", voice, tmp_path)


@pytest.mark.ffmpeg
def test_the_render_job_gives_narrated_pages_their_tracks(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    request = request_for(NOTICE, profile="720p", branding=BRANDING, cache_dir=cache,
                          today=TODAY, pace=ReadingPace(), encode=True,
                          narration={"enabled": True})  # fmt: skip
    pages = run(json.loads(json.dumps(request)))
    assert all(p["audio"] for p in pages)
    for page in pages:
        meta = json.loads(Path(page["audio"]).with_suffix(".json").read_text())
        assert page["duration_s"] >= (meta["units"] + 2) * 0.64 - 0.01
        assert -26 <= meta["loudness"] <= -22 and meta["true_peak"] <= -2
    silent = run(json.loads(json.dumps({**request, "narration": {"enabled": False}})))
    assert all(p["audio"] == "" for p in silent)


@pytest.mark.ffmpeg
def test_an_alert_is_always_read_and_chimes(tmp_path: Path) -> None:
    request = request_for(ALERT, profile="720p", branding=BRANDING, cache_dir=tmp_path,
                          today=TODAY, pace=ReadingPace(), encode=True,
                          narration={"enabled": False})  # fmt: skip
    pages = run(json.loads(json.dumps(request)))
    assert pages[0]["audio"]


@pytest.mark.ffmpeg
def test_a_broken_voice_leaves_the_page_on_the_bed(tmp_path: Path) -> None:
    bed = audio.ensure_bed(tmp_path, units=25)
    out = audio.narrate_pages(
        ["你好。"],
        [8.32],
        alert=False,
        cache_dir=tmp_path,
        settings=audio.NarrationSettings(True, command="/nonexistent {out}"),
    )
    assert out == [("", 8.32)]
    assert bed.bed.exists()

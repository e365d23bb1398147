"""One render (and encode) as a process of its own: ``python -m renderer.job`` reads a JSON
request on stdin and writes a JSON answer on stdout.

The clock runs normal content this way, with a time limit and a memory limit, at a lower CPU
priority: however large an item is, the clock's own timers, alerts and plan rewrites keep
their time. Pure renderer: the request carries everything (no database, no Flask).

Request: ``{"item", "profile", "branding": {channel_name, township, logo, primary, accent,
ticker}, "cache_dir", "today", "pace", "encode", "narration"}`` (``narration``: the fields of
``renderer.audio.NarrationSettings``; absent, pages are not read unless an alert). An item
with a ``recording`` (a stored audio file, see ``renderer.recording``) airs it instead.
Answer: ``{"pages": [...]}`` or
``{"error": "<Chinese message for staff>"}``.
"""

from __future__ import annotations

import json
import sys
import traceback
from datetime import date
from pathlib import Path
from typing import Any

from renderer.items import ItemError
from renderer.page import ReadingPace
from renderer.theme import Branding
from renderer.timing import snap_seconds


def request_for(item: dict[str, Any], *, profile: str, branding: Branding, cache_dir: Path,
                today: date, pace: ReadingPace, encode: bool,
                narration: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON request for one render (built in the parent, read by :func:`run`)."""
    return {
        "item": item, "profile": profile, "cache_dir": str(cache_dir),
        "today": today.isoformat(), "encode": encode, "narration": narration or {},
        "pace": {"chars_per_second": pace.chars_per_second, "min_seconds": pace.min_seconds,
                 "page_seconds": pace.page_seconds},
        "branding": {"channel_name": branding.channel_name, "township": branding.township,
                     "logo": str(branding.logo) if branding.logo else None,
                     "primary": branding.primary, "accent": branding.accent,
                     "ticker": branding.ticker},
    }


def run(request: dict[str, Any]) -> list[dict[str, Any]]:
    """Render (and encode, if asked) the request's item; PlannedPage dicts in order."""
    from renderer.encode import encoding_for_plan, ensure_units
    from renderer.ffmpeg import FFmpegError
    from renderer.render import render_item

    if request["item"].get("type") == "video":  # a clip: transcoded once, aired as is
        from renderer.video import clip_pages

        return clip_pages(request["item"], Path(request["cache_dir"]),
                          encoding_for_plan(request["profile"]))  # fmt: skip
    b = request["branding"]
    branding = Branding(b["channel_name"], b["township"], Path(b["logo"]) if b["logo"] else None,
                        b["primary"], b["accent"], b.get("ticker", ""))
    cache_dir = Path(request["cache_dir"])
    pages = render_item(request["item"], profile=request["profile"], branding=branding,
                        cache_dir=cache_dir, today=date.fromisoformat(request["today"]),
                        pace=ReadingPace(**request["pace"]))
    todo = [(page.path, page.key) for page in pages]
    units = (ensure_units(todo, cache_dir, encoding_for_plan(request["profile"]))
             if request["encode"] else [None] * len(pages))
    sound = [("", page.duration_s) for page in pages]
    recording = request["item"].get("recording")
    if request["encode"] and recording:  # a recorded announcement replaces the narration
        from renderer.recording import ensure_listen_copy, recorded_pages

        try:
            sound = recorded_pages(Path(recording), [p.duration_s for p in pages], cache_dir,
                                   bitrate_kbps=encoding_for_plan(request["profile"]).audio_kbps)
            ensure_listen_copy(Path(recording), cache_dir)
        except (OSError, FFmpegError) as exc:
            raise ItemError("录音无法读取或解码，请重新录制或上传后再提交。") from exc
    elif request["encode"]:  # narration tracks are made with the units, and cached like them
        from renderer.audio import NarrationSettings, narrate_pages

        sound = narrate_pages([p.script for p in pages], [p.duration_s for p in pages],
                              alert=request["item"].get("type") == "alert",
                              settings=NarrationSettings.from_dict(request.get("narration")),
                              cache_dir=cache_dir,
                              bitrate_kbps=encoding_for_plan(request["profile"]).audio_kbps)
    return [{"key": page.key, "png": str(page.path), "unit": str(unit) if unit else "",
             "duration_s": snap_seconds(duration), "page_no": page.page_no,
             "page_count": page.page_count, "audio": track}
            for page, unit, (track, duration) in zip(pages, units, sound, strict=True)]


def apply_limits(limits: dict[str, Any]) -> None:
    """Lower this process's priority and cap its memory (ffmpeg children inherit both)."""
    import os
    import resource

    if limits.get("nice"):
        os.nice(int(limits["nice"]))
    memory = limits.get("memory_bytes")
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))


def main() -> int:
    from renderer.ffmpeg.runner import FFmpegError

    try:
        request = json.loads(sys.stdin.buffer.read())
        apply_limits(request.get("limits") or {})
        answer: dict[str, Any] = {"pages": run(request)}
    except ItemError as exc:
        answer = {"error": str(exc)}
    except FFmpegError:
        traceback.print_exc()
        answer = {"error": "视频编码失败。请稍后重新提交；如果一直失败，请联系管理员检查系统。"}
    except MemoryError:
        answer = {"error": "内容太大，生成画面所需内存超出限制。请缩短或拆分后重新提交。"}
    except Exception:  # noqa: BLE001 - told to staff in words they understand; details logged
        traceback.print_exc()
        answer = {"error": "生成画面时出错。请稍后重新提交；如果一直失败，请联系管理员。"}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

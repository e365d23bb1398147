"""Normal content renders in a child process with a time and a memory limit, at low priority.

The clock's content lane waits on the child (releasing the interpreter), so however large an
item is, the clock's timers, the alert lane and plan rewrites keep their time; a render that
runs too long is killed with everything it started (ffmpeg included) and the item's page says
why in words staff understand.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _

import renderer

# Below the clock and playout: a long render takes what CPU they leave.
RENDER_NICE = 10
_ROOT = Path(renderer.__file__).resolve().parent.parent  # where ``renderer`` is importable


class RenderFailed(Exception):
    """A render that did not finish; the message is for staff (Chinese, says what to do)."""


def _command() -> list[str]:
    return [sys.executable, "-m", "renderer.job"]


def run_isolated(request: dict[str, Any], *, timeout_s: float | None = None,
                 memory_bytes: int | None = None) -> list[dict[str, Any]]:
    """Run one render request (``renderer.job``) in a child; its pages, or RenderFailed."""
    config = current_app.config
    timeout_s = timeout_s if timeout_s is not None else config["RENDER_TIMEOUT_S"]
    memory_bytes = memory_bytes if memory_bytes is not None else config["RENDER_MEMORY_BYTES"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(_ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    body = json.dumps({**request, "limits": {"memory_bytes": memory_bytes,
                                             "nice": RENDER_NICE}}, ensure_ascii=False)
    # A session of its own: on timeout the whole group goes, ffmpeg children included.
    child = subprocess.Popen(_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        out, err = child.communicate(body.encode("utf-8"), timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        raise RenderFailed(_("生成画面超过 %(s)d 秒仍未完成，已停止：内容太长或太复杂。请缩短或"
                             "拆成几条后重新提交。", s=round(timeout_s))) from None
    if err:
        current_app.logger.warning("render child: %s", err.decode("utf-8", "replace")[-2000:])
    try:
        answer = json.loads(out)
    except ValueError:
        # Killed by the memory limit or a signal before it could answer.
        raise RenderFailed(_("内容太大，生成画面时超出了内存限制，已停止。请缩短或拆成几条后"
                             "重新提交。")) from None
    if "error" in answer:
        raise RenderFailed(str(answer["error"]))
    return answer["pages"]

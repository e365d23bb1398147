"""The function behind ``villagecast render ITEM.json --out DIR [--profile NAME]``."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import date
from pathlib import Path

from renderer.items import ItemError
from renderer.profiles import get_profile
from renderer.render import RenderedPage, render_item
from renderer.theme import Branding, default_branding


def render_cli(
    json_path: Path | str,
    out_dir: Path | str,
    profile: str = "1080p",
    *,
    today: date,
    branding: Branding | None = None,
    cache_dir: Path | None = None,
) -> list[RenderedPage]:
    """Render one item file and copy its pages to ``out_dir`` as page-01.png, page-02.png …;
    the pages returned point at those copies.

    Raises :class:`ItemError` for unreadable JSON or an invalid item and ``ValueError``
    for an unknown profile. ``today`` is the date the item is rendered on (its "today"
    lines): the caller reads its clock, the renderer reads none.
    """
    get_profile(profile)  # fail fast with the list of valid names
    path = Path(json_path)
    try:
        item = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ItemError(f"无法读取文件 {path}（{exc.strerror or '读取出错'}）。") from exc
    except ValueError as exc:
        where = f"（第 {exc.lineno} 行第 {exc.colno} 列附近）" if hasattr(exc, "lineno") else ""
        raise ItemError(f"文件 {path} 不是有效的 JSON{where}。") from exc
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pages = render_item(
        item,
        profile=profile,
        branding=branding or default_branding(),
        cache_dir=cache_dir or out / ".cache",
        today=today,
    )
    copies = []
    for page in pages:
        copy = out / f"page-{page.page_no:02d}.png"
        shutil.copyfile(page.path, copy)
        copies.append(dataclasses.replace(page, path=copy))
    return copies

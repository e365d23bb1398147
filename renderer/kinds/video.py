"""视频: an uploaded clip, aired as its own pictures and sound (renderer.video)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from renderer.declare import (
    CHOICE,
    SECONDS,
    TEXT,
    TITLE_MAX,
    VIDEO,
    Field,
    ItemError,
    KindDeclaration,
)

# A caption burned into a video: a title strip across the top, or a lower third (stored in
# the words staff read, as notice categories are; renderer.video maps them to its styles).
CAPTION_STYLES = ("顶部标题条", "下方字幕条")


@dataclass(frozen=True)
class VideoItem:
    """An uploaded clip (renderer.video): aired as its own pictures and sound."""

    title: str
    video: str  # the stored upload
    category: str = ""
    trim_in: float = 0.0  # seconds into the upload
    trim_out: float | None = None  # None: to the end
    caption: str = ""
    caption_style: str = ""  # "" | one of CAPTION_STYLES
    type: str = "video"


def check(cleaned: dict[str, Any]) -> None:
    """The trim points must leave something to air."""
    trim_in, trim_out = cleaned.get("trim_in") or 0.0, cleaned.get("trim_out")
    if trim_out is not None and trim_out < trim_in + 1:
        error = ItemError("“结束位置”必须比“开始位置”晚至少 1 秒。")
        error.field = "trim_out"
        raise error


DECLARATION = KindDeclaration(
    name="video",
    label="视频",
    order=50,
    item=VideoItem,
    collection="",  # a clip is uploaded in the admin, not sent through the API
    category_field="category",
    summary=("category", "caption"),
    narrated=False,  # a clip has its own sound
    check=check,
    fields=(
        Field(
            "title",
            "标题",
            TEXT,
            TITLE_MAX,
            True,
            wide=True,
            required_message="请填写标题。",
            help="节目单和审核列表里显示的名称。",
        ),
        Field("category", "类别", TEXT, 20, help="例如：农产品、政策解读、村务。"),
        Field(
            "trim_in", "开始位置", SECONDS, help="从第几秒开始播，例如 5 或 0:05；留空从头开始。"
        ),
        Field("trim_out", "结束位置", SECONDS, help="播到第几秒，例如 1:30；留空播到结尾。"),
        Field("caption", "字幕文字", TEXT, 30, help="叠加在画面上的一行字；留空则用标题。"),
        Field("caption_style", "字幕样式", CHOICE, choices=CAPTION_STYLES, placeholder="不加字幕"),
        Field("video", "视频文件", VIDEO, required=True),
    ),
    # English for its words, where the catalogue has none (a new kind needs no .po edit).
    en={
        "视频": "Video",
        "类别": "Category",
        "标题": "Title",
        "节目单和审核列表里显示的名称。": (
            "The name shown in the programme guide and the review list."
        ),
        "请填写标题。": "Please enter a title.",
        "例如：农产品、政策解读、村务。": (
            "For example: produce, policy explained, village affairs."
        ),
        "开始位置": "Start at",
        "从第几秒开始播，例如 5 或 0:05；留空从头开始。": (
            "Second to start from, e.g. 5 or 0:05; empty: from the beginning."
        ),
        "结束位置": "End at",
        "播到第几秒，例如 1:30；留空播到结尾。": "Second to stop at, e.g. 1:30; empty: to the end.",
        "字幕文字": "Caption text",
        "叠加在画面上的一行字；留空则用标题。": (
            "One line of text over the picture; empty: the title."
        ),
        "字幕样式": "Caption style",
        "不加字幕": "No caption",
        "视频文件": "Video file",
        "顶部标题条": "Title strip at the top",
        "下方字幕条": "Lower third",
    },
)

"""The video item's form: the upload, trim points and caption (limits from renderer.fields)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import Field, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from publisher.admin.forms import ContentForm
from renderer.fields import field as declared

# Values are the declaration's words (renderer.fields.CAPTION_STYLES); labels translate.
CAPTION_CHOICES = [SelectChoice("", _l("不加字幕")), SelectChoice("顶部标题条", _l("顶部标题条")),
                   SelectChoice("下方字幕条", _l("下方字幕条"))]  # fmt: skip


def _limit(name: str) -> Length:
    n = declared("video", name).limit
    return Length(max=n, message=_l("不能超过 %(n)d 个字。", n=n))


class VideoForm(ContentForm):
    """A clip for the channel. The upload is checked and stored while the form validates
    (``video_folder`` set by the view), before the other fields are judged: a mistake
    elsewhere sends the form back with the clip kept (its stored name in ``video_kept``)."""

    title = StringField(
        _l("标题"),
        validators=[DataRequired(_l("请填写标题。")), _limit("title")],
        description=_l("节目单和审核列表里显示的名称。"),
    )
    category = StringField(
        _l("类别"),
        validators=[Optional(), _limit("category")],
        description=_l("例如：农产品、政策解读、村务。"),
    )
    trim_in = StringField(
        _l("开始位置"),
        validators=[Optional()],
        description=_l("从第几秒开始播，例如 5 或 0:05；留空从头开始。"),
    )
    trim_out = StringField(
        _l("结束位置"),
        validators=[Optional()],
        description=_l("播到第几秒，例如 1:30；留空播到结尾。"),
    )
    caption = StringField(
        _l("字幕文字"),
        validators=[Optional(), _limit("caption")],
        description=_l("叠加在画面上的一行字；留空则用标题。"),
    )
    caption_style = SelectField(_l("字幕样式"), choices=CAPTION_CHOICES, default="")
    video = FileField(_l("视频文件"))
    video_kept = HiddenField()
    video_folder = None  # where an upload is kept; None: not stored
    has_video = False  # the item already has a clip (editing): a new upload is optional

    def validate_video(self, field: Field) -> None:
        from publisher.services.errors import ServiceError
        from publisher.services.videos import kept, save_video

        upload = field.data
        if self.video_folder is not None and getattr(upload, "filename", ""):
            try:
                self.video_kept.data = save_video(upload, self.video_folder).name
            except ServiceError as exc:
                raise ValidationError(str(exc)) from None
            return
        if self.video_folder is not None and kept(self.video_folder, self.video_kept.data):
            return
        if not self.has_video:
            raise ValidationError(_l("请选择要上传的视频文件。"))

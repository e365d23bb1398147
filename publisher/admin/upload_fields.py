"""The upload parts of a content form, one per upload type a kind may declare.

A photo, a recording or a clip is checked and stored while the form is validated (the view
sets the ``*_folder``), before the other fields are judged: a mistake elsewhere sends the
form back with the upload kept (its stored name in ``*_kept``), not lost.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import BooleanField, Field, HiddenField
from wtforms.validators import ValidationError

from publisher.config import UPLOAD_MAX_MB
from renderer.declare import PHOTO, RECORDING, VIDEO


class RecordingFields:
    """A recorded announcement (村广播), read on air in place of the synthesised voice."""

    recording = FileField(_l("或者上传录音文件"))
    recording_kept = HiddenField()
    remove_recording = BooleanField(_l("删除录音，改用语音合成播报"))
    recording_folder = None  # where an upload is kept; None: not stored (previews)

    def validate_recording(self, field: Field) -> None:
        from publisher.services.errors import ServiceError
        from publisher.services.recordings import save_recording

        upload = field.data
        if self.recording_folder is None or not getattr(upload, "filename", ""):
            return
        try:
            saved = save_recording(upload, self.recording_folder)
        except ServiceError as exc:
            raise ValidationError(str(exc)) from None
        self.recording_kept.data = saved.name


class PhotoFields:
    """A photo of what is offered (a produce card): JPG or PNG."""

    photo = FileField(_l("产品照片"), validators=[
        FileAllowed(["jpg", "jpeg", "png"], _l("照片只能是 JPG 或 PNG 格式。"))],
        description=_l("可选，JPG 或 PNG，最大 %(mb)s MB。横拍、光线充足的照片在电视上效果最好。",
                       mb=UPLOAD_MAX_MB))  # fmt: skip
    remove_photo = BooleanField(_l("删除现有照片"))
    photo_kept = HiddenField()
    photo_folder = None

    def validate_photo(self, field: Field) -> None:
        from publisher.services.errors import ServiceError
        from publisher.services.photos import save_photo

        if self.photo_folder is None or not getattr(field.data, "filename", ""):
            return
        try:
            saved = save_photo(field.data, self.photo_folder)
        except ServiceError as exc:
            raise ValidationError(str(exc)) from None
        self.photo_kept.data = saved.name


class VideoFields:
    """A clip for the channel (checked by services.videos)."""

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


# The part of the form each upload type brings.
UPLOAD_FIELDS: dict[str, type] = {RECORDING: RecordingFields, PHOTO: PhotoFields,
                                  VIDEO: VideoFields}  # fmt: skip

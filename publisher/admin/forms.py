"""Content forms, one per kind, with Chinese labels and help text.

Length limits are the declaration's (``renderer.fields``, checked again by the service on
every door) so a too-long field is caught here with a message next to the field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Field,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from publisher.config import UPLOAD_MAX_MB
from publisher.forms import PageForm
from publisher.services.content import IMPORTANT, NORMAL, PINNED
from publisher.services.errors import FieldError
from publisher.services.phones import check_phones_in_text, clean_phone
from renderer.fields import LIST_TEXT, LONG_TEXT, YEARS

PRICE = re.compile(r"^\d{1,7}(\.\d{1,2})?$")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
POLICY_CATEGORIES = ("种粮补贴", "农机补贴", "医疗保障", "养老保险", "教育帮扶", "就业创业",
                     "社会救助", "产业扶持", "其他")
NOTICE_CATEGORIES = ("通知公告", "村务公开")
PRODUCE_UNITS = ("斤", "公斤", "个", "只", "箱", "袋", "把", "筐")
PRIORITY_LABELS = {NORMAL: _l("普通"), IMPORTANT: _l("重要"), PINNED: _l("置顶")}


def _required(message: str):  # noqa: ANN202
    return DataRequired(message=message)


def _max(n: int):  # noqa: ANN202
    return Length(max=n, message=_l("不能超过 %(n)s 个字。", n=n))


class PhoneRule:
    """A form validator that runs a phone check of ``services.phones``.

    The import and the API run the same check in the service, so a number is accepted or
    refused alike wherever it is typed; here the message lands next to the field.
    """

    def __init__(self, check: Callable[[str, str], str]) -> None:
        self.check = check

    def __call__(self, form: PageForm, field: Field) -> None:
        if field.data:
            try:
                self.check(field.data, field.name)
            except FieldError as exc:
                raise ValidationError(str(exc)) from None


class ContentForm(PageForm):
    """What every kind shares: the validity window and the save buttons."""

    valid_from = DateTimeLocalField(
        _l("上线时间"), format=DATETIME_FORMATS, validators=[Optional()],
        description=_l("按本乡镇当地时间。留空表示审核通过后立即播出。"))
    valid_until = DateTimeLocalField(
        _l("下线时间"), format=DATETIME_FORMATS, validators=[Optional()],
        description=_l("到时自动停播。留空表示一直播出，直到撤回。"))
    priority = SelectField(
        _l("播出优先级"), choices=[SelectChoice(v, label) for v, label in PRIORITY_LABELS.items()],
        coerce=int, default=NORMAL,
        description=_l("同类节目轮播时，置顶的排在最前，其次是重要的。改优先级也要重新审核。"))
    narration = BooleanField(
        _l("语音播报"), default=True,
        description=_l("频道开启语音播报时，用普通话朗读本条内容（紧急通知总是播报）。"))
    save = SubmitField(_l("保存草稿"))
    save_submit = SubmitField(_l("保存并提交审核"))

    def validate_valid_until(self, field) -> None:  # noqa: ANN001
        if field.data and self.valid_from.data and field.data <= self.valid_from.data:
            raise ValidationError(_l("下线时间必须晚于上线时间。"))

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        valid = super().validate(extra_validators)
        for field in self:
            value = field.data
            if isinstance(value, date) and not YEARS[0] <= value.year <= YEARS[1]:
                field.errors = [*field.errors, _l("日期超出范围，请检查年份。")]
                valid = False
        return valid


class RecordingFields:
    """A recorded announcement (村广播), read on air in place of the synthesised voice.

    The upload is checked and stored while the form is validated (``recording_folder`` set
    by the view), before the other fields are judged: a mistake elsewhere sends the form
    back with the recording kept (its stored name in ``recording_kept``), not lost.
    """

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


class PolicyForm(RecordingFields, ContentForm):
    title = StringField(_l("政策名称"), validators=[_required(_l("请填写政策名称。")), _max(60)],
                        description=_l("例如：2025年耕地地力保护补贴"))
    category = StringField(_l("政策类别"), validators=[Optional(), _max(20)],
                           description=_l("可从列表中选择，也可自行填写。"))
    eligibility = TextAreaField(_l("补贴对象"), validators=[Optional(), _max(LONG_TEXT)],
                                description=_l("谁可以享受，写清条件。"))
    amount = StringField(_l("补贴标准"), validators=[Optional(), _max(40)],
                         description=_l("例如：每亩 105 元"))
    how_to_apply = TextAreaField(_l("申请办法"), validators=[Optional(), _max(LONG_TEXT)],
                                 description=_l("到哪里、带什么、找谁办理。"))
    deadline = DateField(_l("申请截止日期"), validators=[Optional()])
    source_document = StringField(_l("政策依据"), validators=[Optional(), _max(200)],
                                  description=_l("文件名称和文号。"))
    contact = StringField(_l("咨询电话"), validators=[
        Optional(), _max(40), PhoneRule(check_phones_in_text)],
        description=_l("可写单位和电话，例如：乡农业服务中心 0991-1234567"))
    body = TextAreaField(_l("政策说明"), validators=[Optional(), _max(LONG_TEXT)],
                         description=_l("较长的内容会自动分成多页播出。"))


class ServiceForm(RecordingFields, ContentForm):
    title = StringField(_l("事项名称"), validators=[_required(_l("请填写事项名称。")), _max(60)],
                        description=_l("例如：城乡居民基本医疗保险参保登记"))
    steps = TextAreaField(
        _l("办理步骤"), validators=[_required(_l("请至少填写一个办理步骤。")), _max(LIST_TEXT)],
        description=_l("每行写一步，播出时自动编号，不用自己写序号。"),
        render_kw={"placeholder": _l("例如：\n携带户口簿和身份证到村便民服务站\n"
                                     "医保专干核对信息并录入")})
    documents = TextAreaField(_l("所需材料"), validators=[Optional(), _max(LIST_TEXT)],
                              description=_l("每行写一项材料。"),
                              render_kw={"placeholder": _l("例如：\n身份证\n户口簿")})
    location = StringField(_l("办理地点"), validators=[Optional(), _max(40)],
                           description=_l("例如：乡便民服务中心 2 号窗口"))
    office_hours = StringField(_l("办公时间"), validators=[Optional(), _max(40)],
                               description=_l("例如：工作日 8:30-12:00，14:30-17:30"))
    time_limit = StringField(_l("办理时限"), validators=[Optional(), _max(40)],
                             description=_l("例如：即来即办 / 5 个工作日"))
    fee = StringField(_l("收费标准"), validators=[Optional(), _max(40)],
                      description=_l("不收费请填“免费”。"))
    contact = StringField(_l("咨询电话"), validators=[
        Optional(), _max(40), PhoneRule(check_phones_in_text)],
        description=_l("可写单位和电话，例如：乡农业服务中心 0991-1234567"))


class ProduceForm(ContentForm):
    product = StringField(_l("产品名称"), validators=[_required(_l("请填写产品名称。")), _max(20)],
                          description=_l("例如：高山土豆"))
    village = StringField(_l("所在村"), validators=[_required(_l("请填写所在村。")), _max(20)])
    seller = StringField(_l("卖家"), validators=[_required(_l("请填写卖家姓名。")), _max(20)],
                         description=_l("农户姓名或合作社名称。"))
    price = StringField(_l("价格（元）"), validators=[
        _required(_l("请填写价格。")),
        Regexp(PRICE, message=_l("价格请填写数字，例如 4.5")),
    ])
    unit = StringField(_l("单位"), validators=[_required(_l("请填写单位。")), _max(6)],
                       description=_l("例如：斤、公斤、只"))
    quantity = StringField(_l("供应数量"), validators=[Optional(), _max(20)],
                           description=_l("例如：约 3000 斤"))
    phone = StringField(_l("联系电话"), validators=[
        _required(_l("请填写联系电话。")), _max(30), PhoneRule(clean_phone),
    ], description=_l("一个手机号或座机号，电视上会生成扫码拨打的二维码。"))
    available_until = DateField(_l("供应截止日期"), validators=[Optional()])
    description = TextAreaField(_l("产品介绍"), validators=[Optional(), _max(LONG_TEXT)])
    photo = FileField(_l("产品照片"), validators=[
        FileAllowed(["jpg", "jpeg", "png"], _l("照片只能是 JPG 或 PNG 格式。"))],
        description=_l("可选，JPG 或 PNG，最大 %(mb)s MB。横拍、光线充足的照片在电视上效果最好。",
                       mb=UPLOAD_MAX_MB))
    remove_photo = BooleanField(_l("删除现有照片"))
    # A valid photo is stored while the form validates (``photo_folder`` set by the view), so
    # a mistake in another field sends the form back with the photo kept, not dropped.
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


class NoticeForm(RecordingFields, ContentForm):
    title = StringField(_l("标题"), validators=[_required(_l("请填写标题。")), _max(60)])
    category = SelectField(_l("类别"), choices=[SelectChoice(c) for c in NOTICE_CATEGORIES],
                           description=_l("村务公开：每月 9 日为公开日。"))
    issued_by = StringField(_l("发布单位"), validators=[Optional(), _max(40)],
                            description=_l("例如：监山乡人民政府"))
    date = DateField(_l("发布日期"), validators=[Optional()])
    body = TextAreaField(_l("正文"), validators=[_required(_l("请填写正文。")), _max(LONG_TEXT)])

"""Admin forms of the emergency pages (Flask-WTF, Chinese messages)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from publisher.emergency import labels
from publisher.emergency.registry import MemberData
from publisher.forms import PageForm
from publisher.models.emergency import HOUSEHOLD_KINDS
from publisher.services.errors import FieldError
from renderer.fields import YEARS

REQUIRED = _l("此项必须填写。")  # worded as in the rest of the admin


def choices(pairs) -> list[SelectChoice]:  # noqa: ANN001
    """SelectField choices from (value, label) pairs (tuples are deprecated in WTForms)."""
    return [SelectChoice(value, label) for value, label in pairs]


class HouseholdForm(PageForm):
    village_id = SelectField(_l("村"), coerce=int, validators=[DataRequired(REQUIRED)])
    kind = SelectField(_l("类型"), choices=choices((k, k) for k in HOUSEHOLD_KINDS))
    name = StringField(_l("姓名（需要帮助的人）"), validators=[DataRequired(REQUIRED),
                                                      Length(max=40)])
    address = StringField(_l("地址"), validators=[Length(max=200)])
    phones = TextAreaField(_l("电话（每行一个：称呼 号码，如“本人 13800000000”）"))
    members = TextAreaField(_l("家庭成员（每行：姓名 关系 出生年份 身份证号，后两项可省略）"))
    medical_notes = TextAreaField(_l("健康/用药情况（加密保存）"), validators=[Length(max=2000)])
    notes = TextAreaField(_l("备注"), validators=[Length(max=2000)])
    call_plan_id = SelectField(_l("呼救预案"), coerce=int)

    def phone_pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for n, line in enumerate((self.phones.data or "").splitlines(), 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) > 2:
                raise FieldError("phones", _("电话第%(n)d行格式不对：应为“称呼 号码”。", n=n))
            pairs.append((parts[0], parts[1]) if len(parts) == 2 else ("", parts[0]))
        return pairs

    def member_list(self) -> list[MemberData]:
        members = []
        for n, line in enumerate((self.members.data or "").splitlines(), 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) > 4:
                raise FieldError("members", _("家庭成员第%(n)d行格式不对。", n=n))
            parts = ["" if p == "-" else p for p in parts]
            year = None
            if len(parts) >= 3 and parts[2]:
                if not parts[2].isdecimal() or not 1900 <= int(parts[2]) <= 2100:
                    raise FieldError("members", _("家庭成员第%(n)d行的出生年份无效。", n=n))
                year = int(parts[2])
            members.append(MemberData(parts[0], parts[1] if len(parts) > 1 else "", year,
                                      parts[3] if len(parts) > 3 else ""))
        return members


class DeviceForm(PageForm):
    label = StringField(_l("设备名称"), default="一键呼救器", validators=[Length(max=40)])
    # InputRequired: DataRequired would call a typed 0 missing rather than out of range.
    test_interval_hours = IntegerField(_l("测试间隔（小时）"), default=168, validators=[
        InputRequired(REQUIRED), NumberRange(1, 24 * 90, _l("须在 1 到 2160 小时之间。"))])


class ResponderForm(PageForm):
    name = StringField(_l("姓名"), validators=[DataRequired(REQUIRED), Length(max=40)])
    kind = SelectField(_l("类型"), choices=choices(labels.RESPONDER_KINDS.items()))
    phone = StringField(_l("手机号码"), validators=[Length(max=30)])
    cadre_id = SelectField(_l("干部（类型为乡干部时）"), coerce=int)
    household_id = SelectField(_l("关联的户（亲属、邻居）"), coerce=int)
    notes = StringField(_l("备注"), validators=[Length(max=200)])


class StepForm(Form):
    responder_id = SelectField(_l("联系人"), coerce=int, default=0, validate_choice=False)
    channels = SelectField(_l("方式"), choices=choices(labels.CHANNEL_CHOICES.items()),
                           default="sms")
    wait_seconds = IntegerField(_l("等待（秒）"), default=300, validators=[Optional()])
    # Only for a duty-roster step: reached when nobody is on duty today.
    fallback_id = SelectField(_l("无人值班时改为"), coerce=int, default=0, validate_choice=False)


class CallPlanForm(PageForm):
    name = StringField(_l("预案名称"), validators=[DataRequired(REQUIRED), Length(max=60)])
    steps = FieldList(FormField(StepForm), min_entries=5, max_entries=8)
    repeat_count = IntegerField(_l("无人接警时重复几轮"), default=0, validators=[
        Optional(), NumberRange(0, 5, _l("须在 0 到 5 之间。"))])
    reminder_minutes = IntegerField(
        _l("接警后未办结，每隔几分钟提醒一次"), default=30,
        description=_l("0 表示不提醒；1 到 1440 分钟。"),
        validators=[Optional(), NumberRange(0, 1440, _l("须在 0 到 1440 之间。"))])
    final_phone = StringField(_l("最后一步：乡镇值班电话"), validators=[Length(max=30)])
    final_instructions = StringField(_l("最后一步的提示"),
                                     default="如有生命危险请立即拨打120，并派人前往。",
                                     validators=[Length(max=200)])
    is_default = BooleanField(_l("设为本乡镇默认预案"))


class ResolveForm(PageForm):
    note = TextAreaField(_l("处置结果 / 取消原因"), validators=[Length(max=2000)])


class AlertForm(PageForm):
    title = StringField(_l("标题"), validators=[DataRequired(REQUIRED), Length(max=60)])
    body = TextAreaField(_l("内容"), validators=[DataRequired(REQUIRED), Length(max=1000)])
    severity = SelectField(_l("级别"),
                           choices=choices((s, s) for s in ("一般", "较重", "严重", "特别严重")))
    issued_by = StringField(_l("发布单位"), validators=[DataRequired(REQUIRED), Length(max=40)])
    # Typed in the township's time, as the pages show it (views_alerts converts to UTC).
    expires = DateTimeLocalField(_l("失效时间（到时自动撤下）"), format="%Y-%m-%dT%H:%M",
                                 description=_l("按本乡镇当地时间填写。"),
                                 validators=[DataRequired(_l("请填写有效的失效时间。"))])
    is_exercise = BooleanField(_l("演练（不会在频道播出）"))

    def validate_expires(self, field) -> None:  # noqa: ANN001
        # Year 1 or 9999 overflows the time-zone conversion (was a 500).
        if field.data and not YEARS[0] <= field.data.year <= YEARS[1]:
            raise ValidationError(_l("失效时间超出范围，请检查年份。"))


class CapUploadForm(PageForm):
    file = FileField(_l("CAP 1.2 预警文件（XML）"))


class CapSourceForm(PageForm):
    url = StringField(_l("CAP 地址"), validators=[DataRequired(REQUIRED),
                                                URL(message=_l("请输入有效的网址。"))])
    area_names = StringField(_l("本地区名称（逗号分隔）"), validators=[Length(max=300)])
    geocodes = StringField(_l("区域编码（逗号分隔）"), validators=[Length(max=300)])
    interval_seconds = IntegerField(_l("轮询间隔（秒）"), default=60, validators=[
        InputRequired(REQUIRED), NumberRange(30, 3600, _l("须在 30 到 3600 秒之间。"))])

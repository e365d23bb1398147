"""Forms of the review queue and the township settings page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from publisher.admin.forms import PhoneRule
from publisher.forms import PageForm
from publisher.services.phones import clean_phone

NOTE_MAX = 500


class ApproveForm(PageForm):
    note = TextAreaField(_l("审核意见（可不填）"), validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("不能超过 %(n)s 个字。", n=NOTE_MAX))])
    approve = SubmitField(_l("审核通过"))


class RejectForm(PageForm):
    reason = TextAreaField(_l("退回原因"), validators=[
        DataRequired(message=_l("退回时必须填写原因。")),
        Length(max=NOTE_MAX, message=_l("不能超过 %(n)s 个字。", n=NOTE_MAX))],
        description=_l("写清需要修改的地方，编辑会看到这段话。"))
    reject = SubmitField(_l("退回修改"))


class SettingsForm(PageForm):
    self_approval = BooleanField(
        _l("允许审核自己提交的内容"),
        description=_l("只有一名工作人员的乡镇可以打开。打开后，审核人可以审核自己编辑的内容。"))
    roster_review = BooleanField(
        _l("干部分工变更需审核后播出"),
        description=_l("打开（默认）时，修改、导入或停用干部后，频道上的干部分工画面要经审核人通过才更新；"
                       "关闭则立即更新。"))
    checkin_deadline_hour = SelectField(
        _l("去向报告截止时间"), coerce=int,
        choices=[SelectChoice(h, f"{h}:00") for h in range(5, 13)],
        description=_l("超过这个时间仍未报告当天去向的干部，会在工作台上标红提醒。"))
    duty_phone = StringField(_l("值班电话"), validators=[
        Optional(), Length(max=40, message=_l("不能超过 %(n)s 个字。", n=40)),
        PhoneRule(clean_phone)])
    save = SubmitField(_l("保存设置"))

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from publisher.forms import PageForm


class LoginForm(PageForm):
    username = StringField(_l("用户名"),
                           validators=[DataRequired(_l("请输入用户名。")), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码。"))])
    remember = BooleanField(_l("记住我"))
    submit = SubmitField(_l("登录"))


class PasswordChangeForm(PageForm):
    """The account's own password change; the policy is checked by the view (one check for
    every door: ``publisher.services.passwords``)."""

    current_password = PasswordField(_l("当前密码"),
                                     validators=[DataRequired(_l("请输入当前密码。"))])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码。"))])
    confirm = PasswordField(_l("再次输入新密码"), validators=[
        DataRequired(_l("请再次输入新密码。")),
        EqualTo("new_password", _l("两次输入的新密码不一致。"))])
    submit = SubmitField(_l("修改密码"))

"""``villagecast init``: a production database with one county administrator and no demo.

The password comes from a prompt (typed twice), from standard input with
``--password-stdin`` or from ``VILLAGECAST_ADMIN_PASSWORD`` (automation); it must pass the
same policy as every other door (``publisher.services.passwords``).
"""

from __future__ import annotations

import os
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

PASSWORD_ENV = "VILLAGECAST_ADMIN_PASSWORD"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    return click.prompt("管理员密码 (admin password)", hide_input=True,
                        confirmation_prompt="再输入一次 (repeat)")


@click.command("init")
@click.option("--username", default="admin", show_default=True,
              help="The first county administrator's username.")
@click.option("--name", "display_name", default="县级管理员", show_default=True,
              help="Their display name.")
@click.option("--password-stdin", is_flag=True,
              help=f"Read the password from the first line of standard input "
                   f"(else ${PASSWORD_ENV}, else a prompt).")
@with_appcontext
def init(username: str, display_name: str, password_stdin: bool) -> None:
    """Migrate the database and create the first county administrator (no demo data)."""
    from flask_migrate import upgrade

    from publisher.extensions import db
    from publisher.models import User
    from publisher.services import audit
    from publisher.services.errors import FieldError
    from publisher.services.org.users import clean_user

    upgrade()
    click.echo("数据库已迁移到最新版本。")
    if db.session.scalar(select(func.count()).select_from(User)):
        demo = db.session.scalars(select(User.username).where(User.demo_password.is_(True)))
        click.echo("已有账号，未新建管理员（init 只在空数据库上创建第一个管理员）。")
        names = "、".join(demo)
        if names:
            click.echo(f"警告：演示账号 {names} 仍使用公开的演示密码，请修改密码或停用！")
        return
    password = _password(password_stdin)
    try:  # the admin form's own checks: username, name, password policy
        fields = clean_user({"username": username, "display_name": display_name,
                             "role": "admin", "password": password}, new=True)
    except FieldError as exc:
        raise click.UsageError(str(exc)) from None
    user = User(username=fields["username"], display_name=fields["display_name"],
                role="admin", township_id=None)
    user.set_password(fields["password"])
    db.session.add(user)
    db.session.flush()
    audit.record("create", actor=None, township_id=None, target_type="user", target_id=user.id,
                 summary=f"{username}（villagecast init）")
    db.session.commit()
    click.echo(f"已创建县级管理员 {username}。请用它登录，再在 组织机构 中添加乡镇和账号。")

"""Errors the SMS store records are translatable text, not hard-coded Chinese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from publisher.sms.gateway import SendStatus

from .conftest import T0

PO = "publisher/translations/en/LC_MESSAGES/messages.po"


class StuckGateway:
    """Takes messages and never sends them (a daemon that is down)."""

    name = "stuck"

    def __init__(self, cancels: bool = True) -> None:
        self.cancels = cancels

    def send(self, number, text, *, ref, priority="C", at=None):  # noqa: ANN001, ANN201
        return ref

    def status(self, ref):  # noqa: ANN001, ANN201
        return SendStatus.QUEUED if self.cancels else SendStatus.FAILED

    def cancel(self, ref):  # noqa: ANN001, ANN201
        return self.cancels


@pytest.fixture
def english(tmp_path, migrated_db):
    """The app with the English catalog compiled into a temporary directory."""
    import shutil
    from pathlib import Path

    from publisher import create_app

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "translations/en/LC_MESSAGES"
    out.mkdir(parents=True)
    with (root / PO).open("rb") as fh, (out / "messages.mo").open("wb") as mo:
        write_mo(mo, read_po(fh, locale="en"))
    shutil.copy(migrated_db, tmp_path / "test.db")
    return create_app({"TESTING": True, "DATA_DIR": tmp_path / "data", "SECRET_KEY": "test",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
                       "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations")})


def _stuck_message(app, gateway):
    from publisher.extensions import db
    from publisher.sms import store

    app.config["SMS_GATEWAY"] = gateway
    with app.app_context():
        row = store.queue_sms("13800000001", "测试", now=T0)
        db.session.commit()
        store.deliver_pending(T0)
        return row.id


@pytest.mark.parametrize(("cancels", "chinese", "english_text"), [
    (True, "超过 120 秒仍未发出，短信网关可能未运行",
     "Not sent after 120 seconds; the SMS gateway may not be running"),
    (False, "短信网关报告发送失败", "The SMS gateway reported that sending failed"),
])
def test_gateway_failures_are_recorded_in_the_request_language(english, cancels, chinese,
                                                               english_text):
    from publisher.extensions import db
    from publisher.models import SmsMessage
    from publisher.sms import store

    message_id = _stuck_message(english, StuckGateway(cancels))
    with english.test_request_context("/?lang=en"):
        store.refresh_statuses(T0 + timedelta(seconds=200), timeout_s=120)
        assert db.session.get(SmsMessage, message_id).error == english_text
    with english.app_context():  # the clock process: no request, Chinese
        row = db.session.get(SmsMessage, message_id)
        row.status, row.error = "queued", ""
        db.session.commit()
        store.refresh_statuses(T0 + timedelta(seconds=400), timeout_s=120)
        assert db.session.get(SmsMessage, message_id).error == chinese

"""Reaching responders beyond our own SMS gateway: signed acknowledgement links and the
HTTP webhook for voice-call (or other SMS) gateways."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from publisher.sms.gateway import GatewayError
from publisher.sms.http_gateway import http_json

ACK_LINK_MAX_AGE_S = 24 * 3600
ACK_PATH = "/emergency/ack/"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="emergency-ack")


def ack_token(attempt_id: int) -> str:
    return _serializer().dumps({"a": attempt_id})


def ack_url(attempt_id: int) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}{ACK_PATH}{ack_token(attempt_id)}"


def attempt_from_token(token: str) -> int | None:
    """The attempt id a link was made for; None if forged, damaged or expired."""
    try:
        data = _serializer().loads(token, max_age=ACK_LINK_MAX_AGE_S)
    except (BadSignature, SignatureExpired):
        return None
    value = data.get("a") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None


class WebhookNotifier:
    """POSTs one JSON notification per attempt; the attempt id is the idempotency key."""

    def __init__(self, url: str, timeout: float = 5) -> None:
        self.url, self.timeout = url, timeout

    def notify(self, payload: dict[str, Any]) -> None:
        if not self.url:
            raise GatewayError("未配置语音/外部网关（EMERGENCY_WEBHOOK_URL）。")
        http_json("POST", self.url, payload,
                  {"Idempotency-Key": f"attempt-{payload.get('attempt_id')}"}, self.timeout)


def webhook() -> WebhookNotifier:
    notifier = current_app.config.get("EMERGENCY_WEBHOOK")  # tests may inject one
    return notifier or WebhookNotifier(current_app.config.get("EMERGENCY_WEBHOOK_URL", ""))

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


# The link names the incident and (a prefix of the keyed digest of) the number it was sent
# to, so it can be made before the attempt row has an id.
DIGEST_CHARS = 16


def ack_token(incident_id: int, address_digest: str) -> str:
    return _serializer().dumps({"i": incident_id, "d": address_digest[:DIGEST_CHARS]})


def ack_url(incident_id: int, address_digest: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return f"{base}{ACK_PATH}{ack_token(incident_id, address_digest)}"


def link_target(token: str) -> tuple[int, str] | None:
    """(incident id, digest prefix) a link was made for; None if forged or expired."""
    try:
        data = _serializer().loads(token, max_age=ACK_LINK_MAX_AGE_S)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict):
        return None
    incident_id, prefix = data.get("i"), data.get("d")
    if not isinstance(incident_id, int) or not isinstance(prefix, str) or not prefix:
        return None
    return incident_id, prefix


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

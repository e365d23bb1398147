"""The SMS gateway (gammu-smsd by default, swappable for an HTTP gateway)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from publisher.sms.gateway import GatewayError, InboundSms, SendStatus, SmsGateway


def build_gateway(config: dict) -> SmsGateway:
    """The gateway ``SMS_BACKEND`` names: "gammu" (spool files) or "http"."""
    backend = config.get("SMS_BACKEND", "gammu")
    if backend == "gammu":
        from publisher.sms.gammu_files import GammuFilesGateway

        return GammuFilesGateway(Path(config["SMS_SPOOL_DIR"]))
    if backend == "http":
        from publisher.sms.http_gateway import HttpGateway

        return HttpGateway(config.get("SMS_HTTP_URL", ""))
    raise GatewayError(f"unknown SMS_BACKEND {backend!r}")


def get_gateway() -> SmsGateway:
    """The app's gateway (built once per app; tests may put their own in SMS_GATEWAY)."""
    gateway = current_app.config.get("SMS_GATEWAY")
    if gateway is None:
        gateway = current_app.extensions.get("sms_gateway")
    if gateway is None:
        gateway = build_gateway(current_app.config)
        current_app.extensions["sms_gateway"] = gateway
    return gateway


__all__ = ["GatewayError", "InboundSms", "SendStatus", "SmsGateway", "build_gateway",
           "get_gateway"]

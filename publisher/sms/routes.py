"""The routes an SMS can leave by: each modem (one gammu-smsd with its own spool), the
HTTP gateway, and, for emergency messages nothing else could send, the voice webhook.

Settings (publisher.config): ``SMS_MODEMS`` lists the modems, one device each ("" or
"dummy" for gammu's dummy phone); the first uses ``SMS_SPOOL_DIR``, the N-th
``SMS_SPOOL_DIR`` + N (``data/sms2`` …). ``SMS_HTTP_URL`` adds the HTTP gateway as a
parallel route; ``EMERGENCY_WEBHOOK_URL`` the voice webhook as the last resort.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

from publisher.sms.gateway import GatewayError, InboundSms, SendStatus, SmsGateway, check_outbound
from publisher.sms.http_gateway import http_json

# Files a modem holds in its outbox at once: enough that it never idles between two
# messages, few enough that our priority order (not gammu's) decides what goes next.
MODEM_WINDOW = 2
# Requests in flight to the HTTP gateway per tick (a 2xx answer means it left).
HTTP_WINDOW = 8
WEBHOOK_WINDOW = 8


@dataclass(frozen=True)
class Modem:
    name: str  # the route's name, stored on each message ("gammu", "gammu2", …)
    spool: Path
    device: str  # "" = gammu's dummy phone
    connection: str


@dataclass(frozen=True)
class Route:
    name: str
    gateway: SmsGateway
    window: int
    # True: a 2xx answer means the message left (HTTP, webhook); False: wait for sent/.
    synchronous: bool = False
    # Only for emergency messages that no other route could send (the voice webhook).
    last_resort: bool = False


def modems(config: dict[str, Any]) -> list[Modem]:
    """The configured modems, in order (at least one)."""
    devices = config.get("SMS_MODEMS") or [config.get("GAMMU_DEVICE", "")]
    spool = Path(config["SMS_SPOOL_DIR"])
    found = []
    for n, device in enumerate(devices, 1):
        device = "" if device.strip() in ("", "dummy") else device.strip()
        found.append(Modem("gammu" if n == 1 else f"gammu{n}",
                           spool if n == 1 else spool.with_name(f"{spool.name}{n}"),
                           device, config.get("GAMMU_CONNECTION", "at")))
    return found


class WebhookSms(SmsGateway):
    """An SMS handed to the voice/external webhook (it calls or texts by its own means)."""

    name = "voice"

    def __init__(self, url: str, notifier: Any = None, timeout: float = 5) -> None:
        self.url, self.notifier, self.timeout = url, notifier, timeout

    def send(self, number: str, text: str, *, ref: str | None = None, priority: str = "C",
             at: Any = None) -> str:
        check_outbound(number, text)
        payload = {"kind": "sms", "to": number, "text": text, "sms_ref": ref}
        if self.notifier is not None:  # tests inject one (see publisher.emergency.notify)
            self.notifier.notify(payload)
        else:
            if not self.url:
                raise GatewayError("未配置语音/外部网关（EMERGENCY_WEBHOOK_URL）。")
            http_json("POST", self.url, payload, {"Idempotency-Key": f"sms-{ref}"},
                      self.timeout)
        return ref or ""

    def status(self, gateway_id: str) -> SendStatus:
        return SendStatus.SENT

    def receive(self) -> list[InboundSms]:
        return []

    def ack(self, message: InboundSms) -> None:
        return None


def build_routes(config: dict[str, Any]) -> list[Route]:
    """Every route, modems first: the order in which a message tries them."""
    from publisher.sms.gammu_files import GammuFilesGateway
    from publisher.sms.http_gateway import HttpGateway

    window = int(config.get("SMS_MODEM_WINDOW", MODEM_WINDOW))
    injected = config.get("SMS_GATEWAY")  # tests put their own gateway here
    routes: list[Route] = []
    if injected is not None:
        routes.append(Route(injected.name, injected, window,
                            synchronous=injected.name == "http"))
    elif config.get("SMS_BACKEND", "gammu") == "http":
        routes.append(Route("http", HttpGateway(config.get("SMS_HTTP_URL", "")), HTTP_WINDOW,
                            synchronous=True))
    else:
        routes.extend(Route(m.name, GammuFilesGateway(m.spool), window)
                      for m in modems(config))
    if config.get("SMS_HTTP_URL") and all(r.name != "http" for r in routes):
        routes.append(Route("http", HttpGateway(config["SMS_HTTP_URL"]), HTTP_WINDOW,
                            synchronous=True))
    if config.get("EMERGENCY_WEBHOOK_URL") or config.get("EMERGENCY_WEBHOOK"):
        routes.append(Route("voice", WebhookSms(config.get("EMERGENCY_WEBHOOK_URL", ""),
                                                config.get("EMERGENCY_WEBHOOK")),
                            WEBHOOK_WINDOW, synchronous=True, last_resort=True))
    return routes


def get_routes() -> list[Route]:
    """The app's routes (built once per app; tests may set SMS_ROUTES)."""
    routes = current_app.config.get("SMS_ROUTES")
    if routes is not None:
        return routes
    # Rebuilt when a test swaps the injected gateway.
    key = id(current_app.config.get("SMS_GATEWAY"))
    cached = current_app.extensions.get("sms_routes")
    if cached is None or cached[0] != key:
        cached = (key, build_routes(current_app.config))
        current_app.extensions["sms_routes"] = cached
    return cached[1]

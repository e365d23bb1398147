"""An SMS gateway reached over HTTP with JSON (for an operator's SMS platform).

The contract, relative to ``SMS_HTTP_URL`` (say ``https://sms.example/api/sms``):

  POST  <url>                  {"to", "text", "ref", "priority"}  →  {"id", "status"?}
        (header Idempotency-Key: <ref>; the same ref must not be sent twice)
  GET   <url>/<id>             →  {"status": "queued" | "sent" | "failed"}
  GET   <url>/inbox            →  {"messages": [{"id", "from", "text", "received_at"?}]}
  POST  <url>/inbox/<id>/ack   →  2xx, the message is not listed again
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from typing import Any

from publisher.sms.gateway import GatewayError, InboundSms, SendStatus, SmsGateway, check_outbound

TIMEOUT_S = 5
MAX_RESPONSE_BYTES = 1 << 20


def http_json(method: str, url: str, body: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None, timeout: float = TIMEOUT_S) -> Any:
    """One JSON request; GatewayError for anything but a 2xx JSON (or empty) answer."""
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json; charset=utf-8")
    for key, value in (headers or {}).items():
        request.add_header(key, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read(MAX_RESPONSE_BYTES)
    except urllib.error.HTTPError as exc:
        raise GatewayError(f"网关返回错误 HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise GatewayError(f"无法连接网关：{exc}") from exc
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise GatewayError("网关返回的不是 JSON。") from exc


class HttpGateway(SmsGateway):
    name = "http"

    def __init__(self, url: str, timeout: float = TIMEOUT_S) -> None:
        if not url.startswith(("http://", "https://")):
            raise GatewayError("未配置短信网关地址（SMS_HTTP_URL）。")
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _sub(self, *parts: str) -> str:
        return "/".join([self.url, *(urllib.parse.quote(p, safe="") for p in parts)])

    def send(self, number: str, text: str, *, ref: str | None = None,
             priority: str = "C", at: datetime | None = None) -> str:
        check_outbound(number, text)
        body = {"to": number, "text": text, "ref": ref, "priority": priority}
        headers = {"Idempotency-Key": ref} if ref else None
        answer = http_json("POST", self.url, body, headers, self.timeout)
        gateway_id = str(answer.get("id") or "") if isinstance(answer, dict) else ""
        if not gateway_id:
            raise GatewayError("网关没有返回消息编号。")
        return gateway_id

    def status(self, gateway_id: str) -> SendStatus:
        answer = http_json("GET", self._sub(gateway_id), timeout=self.timeout)
        try:
            return SendStatus(answer.get("status"))
        except (ValueError, AttributeError) as exc:
            raise GatewayError(f"网关返回了未知状态：{answer!r}"[:200]) from exc

    def receive(self) -> list[InboundSms]:
        answer = http_json("GET", self._sub("inbox"), timeout=self.timeout)
        items = answer.get("messages") if isinstance(answer, dict) else None
        if not isinstance(items, list):
            raise GatewayError("网关收件箱格式错误。")
        messages = []
        for item in items:
            if not isinstance(item, dict) or not item.get("id") or not item.get("from"):
                continue  # malformed entries are left for the operator, not guessed at
            received = None
            if item.get("received_at"):
                try:
                    received = datetime.fromisoformat(str(item["received_at"]))
                except ValueError:
                    received = None
            messages.append(InboundSms(
                number=str(item["from"]), text=str(item.get("text") or ""),
                received_at=received if received and received.tzinfo else None,
                ref=str(item["id"]), raw=json.dumps(item, ensure_ascii=False)))
        return messages

    def ack(self, message: InboundSms) -> None:
        http_json("POST", self._sub("inbox", message.ref, "ack"), {}, timeout=self.timeout)

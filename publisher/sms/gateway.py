"""What every SMS gateway offers: send, receive (then acknowledge), and sent status."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

# gammu-smsd overruns its buffers on huge files (seen crashing on 200 kB); an SMS longer
# than a few parts is a mistake anyway. 500 characters is 8 concatenated UCS-2 parts.
MAX_TEXT_CHARS = 500
_NUMBER = re.compile(r"^\+?\d{3,20}$")


class SendStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class GatewayError(Exception):
    """The gateway refused or could not take a message (``str`` is fit for staff)."""


@dataclass(frozen=True)
class InboundSms:
    number: str  # as the network gave it, e.g. +8613800138000
    text: str
    received_at: datetime | None
    ref: str  # the gateway's own id: unique per message, used to acknowledge it
    raw: str = field(default="", repr=False)


def check_outbound(number: str, text: str) -> None:
    """Refuse what no gateway should be handed (raises GatewayError)."""
    if not _NUMBER.match(number):
        raise GatewayError(f"号码无效：{number!r}")
    if not text.strip():
        raise GatewayError("短信内容为空。")
    if len(text) > MAX_TEXT_CHARS:
        raise GatewayError(f"短信过长（{len(text)} 字，最多 {MAX_TEXT_CHARS} 字）。")


class SmsGateway(ABC):
    name = "base"

    @abstractmethod
    def send(self, number: str, text: str, *, ref: str | None = None,
             priority: str = "C", at: datetime | None = None) -> str:
        """Queue a message; returns the gateway's id for ``status``.

        With the same ``ref`` a second call queues nothing new and returns the same id,
        so a worker that died between sending and recording can safely send again.
        """

    @abstractmethod
    def receive(self) -> list[InboundSms]:
        """Messages received and not yet acknowledged (oldest first)."""

    @abstractmethod
    def ack(self, message: InboundSms) -> None:
        """Forget a received message: call only after it is safely stored."""

    @abstractmethod
    def status(self, gateway_id: str) -> SendStatus:
        """queued, sent or failed."""

    def cancel(self, gateway_id: str) -> bool:
        """Withdraw a message not yet sent; True if it was withdrawn."""
        return False

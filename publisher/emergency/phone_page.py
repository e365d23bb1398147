"""The household's own phone page (issue 12): one large button, who answered, a cancel.

The page's secret is a device token (registry.add_device) carried in the URL's *fragment*
(``/emergency/phone/#t=…``), which browsers never send to the server, so it cannot land in
an access log or a Referer; the page keeps it on the phone and sends it in a header. Pure
helpers here (no request): what the page shows of a call, the SMS fallback link.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

import qrcode
import qrcode.image.svg

from publisher.emergency import engine
from publisher.models.emergency import Incident

TOKEN_HEADER = "X-Household-Token"
PAGE_PATH = "/emergency/phone/"
# The text of the SMS fallback. Any SMS from a household's registered phone is a call for
# help (publisher.inbound.dispatcher, rule 4): the word only tells a person reading the spool why.
SMS_WORD = "呼救"
# A call closed this long ago is no longer shown on the page (the next press starts afresh).
SHOW_CLOSED_FOR = timedelta(hours=2)
_BY = re.compile(r"（[^（）]*）$")


@dataclass(frozen=True)
class CallView:
    """What the household's page shows of its latest call."""

    state: str  # none | triggered | acknowledged | resolved | cancelled
    incident_id: int | None = None
    acknowledged_by: str = ""  # the responder's name, without how they answered
    pressed_at: datetime | None = None

    def to_json(self) -> dict[str, object]:
        return {"state": self.state, "incident": self.incident_id,
                "acknowledged_by": self.acknowledged_by,
                "open": self.state in engine.OPEN}


def call_view(incident: Incident | None, now: datetime) -> CallView:
    if incident is None:
        return CallView("none")
    if incident.state not in engine.OPEN and (
            incident.closed_at is None or now - incident.closed_at > SHOW_CLOSED_FOR):
        return CallView("none")
    by = _BY.sub("", incident.acknowledged_by or "").strip()
    return CallView(incident.state, incident.id, by, incident.triggered_at)


def page_url(base_url: str, token: str) -> str:
    """The link printed on the card: the token only in the fragment."""
    return f"{base_url.rstrip('/')}{PAGE_PATH}#t={token}"


def sms_link(gateway_number: str) -> str:
    """A prefilled SMS to the gateway (RFC 5724 ``sms:`` URI; Android reads ``?body=``)."""
    if not gateway_number:
        return ""
    return f"sms:{gateway_number}?body={quote(SMS_WORD)}"


def qr_svg(text: str) -> str:
    """An SVG QR code (error correction M: a printed card gets creased and dirty)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2,
                         image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg"):]  # no XML declaration inside HTML

"""Spool files out of the way once the database holds their result.

gammu-smsd's file names carry the phone number (``OUTA…_13800138000_m7.txt``,
``IN…_+8613800138000_00.txt``) and the files hold the text, so a file kept after its
message is recorded would keep a household's number and call on disk in plain text. The
clock's SMS tick (publisher.inbound.jobs) sweeps every modem's spool after its own work is
committed:

- ``processed/``: an inbox file is moved here only after its message was stored (and the
  stored copy is encrypted): deleted;
- ``sent/`` and ``error/``: deleted once the message's row (``m<id>`` in the name) is no
  longer queued or being handed over, i.e. its sent / failed / rerouted result is recorded.
  A row still queued keeps its file: the queue reads its status from where the file is,
  and a worker that died mid-hand-over finds it there instead of sending twice.

Files we did not write (no ``m<id>``) are left to the data directory's pruning.
"""

from __future__ import annotations

import contextlib
import logging
import re
from pathlib import Path

from sqlalchemy import select

from publisher.extensions import db
from publisher.models import SmsMessage, SmsStatus
from publisher.sms.routes import Route

log = logging.getLogger(__name__)
_OUR_REF = re.compile(r"_m(\d+)\.txt(?:\.[0-9a-f]+)?$")
IN_FLIGHT = (SmsStatus.SENDING, SmsStatus.QUEUED)


def _row_id(path: Path) -> int | None:
    match = _OUR_REF.search(path.name)
    return int(match.group(1)) if match else None


def sweep(routes: list[Route]) -> int:
    """Delete every spool file whose result is recorded. Returns how many went."""
    gateways = {id(r.gateway): r.gateway for r in routes if hasattr(r.gateway, "handled_files")}
    found = [(sub, path) for g in gateways.values()
             for sub, paths in g.handled_files().items() for path in paths]
    if not found:
        return 0
    ids = {i for _sub, p in found if (i := _row_id(p)) is not None}
    in_flight = set(db.session.scalars(select(SmsMessage.id).where(
        SmsMessage.id.in_(ids), SmsMessage.status.in_(IN_FLIGHT)))) if ids else set()
    gone = 0
    for sub, path in found:
        if sub != "processed":
            row_id = _row_id(path)
            if row_id is None or row_id in in_flight:
                continue
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            gone += 1
    return gone

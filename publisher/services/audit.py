"""Recording audit events. Callers commit; the event rides in the same transaction."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from publisher.extensions import db
from publisher.models import AuditEvent, User


def record(
    action: str,
    *,
    actor: User | None,
    township_id: int | None,
    target_type: str = "",
    target_id: str | int = "",
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the current session (it commits with the change it records)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        township_id=township_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        summary=summary[:300],
        before=before,
        after=after,
        remote_addr=(request.remote_addr or "") if has_request_context() else "",
    )
    db.session.add(event)
    return event


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, so the log shows what actually changed."""
    keys = sorted(set(before) | set(after))
    diff = [k for k in keys if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in diff}, {k: after.get(k) for k in diff}

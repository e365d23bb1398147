"""Who may do what with a request, and who sees a resident's contact in full.

- Everyone on the township's staff may register a request and read the ledger, except that
  a cadre account sees only the requests assigned to it or that it took down.
- The phone number and name are shown in full only to the township's administrator (who
  hands requests out and answers for the ledger) and to the cadre the request is assigned
  to (who must call the resident back); everyone else sees them masked.
- The township administrator and the office (editor role, 党政办) assign; the assigned cadre
  or the office settles; the follow-up (回访) is recorded by the office or a reviewer, never
  by the cadre who did the work (nobody grades their own case).
- The monthly export has names and masked numbers; administrators only (see ``export``).
"""

from __future__ import annotations

from sqlalchemy import Select, select

from publisher.models import Cadre, Role, User
from publisher.models.requests import RequestStatus, ResidentRequest
from publisher.sms.numbers import mask_phone


def in_township(user: User, township_id: int) -> bool:
    return user.is_county_admin or user.township_id == township_id


def is_assignee(user: User, request: ResidentRequest) -> bool:
    return request.cadre is not None and request.cadre.user_id == user.id


def can_read(user: User, request: ResidentRequest) -> bool:
    if not in_township(user, request.township_id):
        return False
    if user.role == Role.CADRE:
        return is_assignee(user, request) or request.received_by_id == user.id
    return True


def readable(stmt: Select, user: User) -> Select:
    """``stmt`` (over ResidentRequest) narrowed to what ``user`` may read in its township:
    a cadre account's own cases only (``can_read`` in SQL, so paging counts right)."""
    if user.role != Role.CADRE:
        return stmt
    mine = select(Cadre.id).where(Cadre.user_id == user.id)
    return stmt.where(ResidentRequest.cadre_id.in_(mine)
                      | (ResidentRequest.received_by_id == user.id))


def sees_contact(user: User, request: ResidentRequest) -> bool:
    township_admin = user.role == Role.ADMIN and user.township_id == request.township_id
    return township_admin or is_assignee(user, request)


def can_assign(user: User, township_id: int) -> bool:
    return in_township(user, township_id) and user.can(Role.EDITOR)


def can_step(user: User, request: ResidentRequest, wanted: str) -> bool:
    if not in_township(user, request.township_id):
        return False
    if wanted == RequestStatus.FOLLOWED_UP:
        return user.can(Role.EDITOR, Role.REVIEWER) and not is_assignee(user, request)
    return user.can(Role.EDITOR) or is_assignee(user, request)


def can_export(user: User, township_id: int) -> bool:
    return user.role == Role.ADMIN and in_township(user, township_id)


def mask_name(name: str) -> str:
    """王**: the family name only."""
    return name[:1] + "*" * min(len(name) - 1, 2) if name else ""


def contact(user: User, request: ResidentRequest) -> tuple[str, str]:
    """(name, phone) as ``user`` may see them."""
    if sees_contact(user, request):
        return request.resident_name, request.phone
    return mask_name(request.resident_name), mask_phone(request.phone)

"""Who may change an emergency call's state, decided as a safety engineer would.

Acknowledging a call stops the escalation (nobody else is alerted), resolving closes it,
cancelling closes it *and* texts every alerted responder that it was a false alarm. A wrong
click there leaves an old person without help, so only the people who answer calls may do
it: administrators (the township's duty office; the county administrator anywhere) and the
cadres stationed in the household's village, who go there. Editors (publicity) and
reviewers (leaders who approve programmes) follow calls on the pages but do not act on
them. Responders outside the admin act by SMS reply or their acknowledgement link, and a
household cancels its own press on its phone page: those paths are not staff actions and
are not decided here.

``ACTIONS_BY_ROLE`` is the whole matrix; ``may_act`` adds the township and village scope.
"""

from __future__ import annotations

from sqlalchemy import select

from publisher.extensions import db
from publisher.models import Cadre, Role, User, cadre_village
from publisher.models.emergency import Household, Incident

INCIDENT_ACTIONS = ("acknowledge", "resolve", "cancel")
ACTIONS_BY_ROLE: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(INCIDENT_ACTIONS),
    Role.CADRE: frozenset(INCIDENT_ACTIONS),  # only in the villages they are stationed in
    Role.REVIEWER: frozenset(),
    Role.EDITOR: frozenset(),
}


def cadre_village_ids(user: User) -> set[int]:
    """The villages a cadre's account is stationed in (through their cadre record)."""
    return set(db.session.scalars(
        select(cadre_village.c.village_id).join(Cadre, Cadre.id == cadre_village.c.cadre_id)
        .where(Cadre.user_id == user.id, Cadre.township_id == user.township_id)))


def may_act(user: User, incident: Incident, action: str) -> bool:
    """Whether staff member ``user`` may ``action`` this incident (role, township, village)."""
    if action not in ACTIONS_BY_ROLE.get(user.role, frozenset()):
        return False
    if user.is_county_admin:
        return True
    if user.township_id is None or user.township_id != incident.township_id:
        return False
    if user.role == Role.CADRE:
        return may_see_village(user, _village_of(incident))
    return True


def may_see_village(user: User, village_id: int | None) -> bool:
    """Cadres: only their own villages; every other role is scoped by township elsewhere."""
    if user.role != Role.CADRE:
        return True
    return village_id is not None and village_id in cadre_village_ids(user)


def _village_of(incident: Incident) -> int | None:
    return db.session.scalar(select(Household.village_id).where(
        Household.id == incident.household_id))

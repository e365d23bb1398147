"""What the messages say about an incident, read from the database once."""

from __future__ import annotations

from datetime import datetime

from playlists.timezones import to_local, zone
from publisher.emergency.messages import AlertFacts
from publisher.models.emergency import Incident
from publisher.models.org import Township


def local(township: Township, moment: datetime) -> datetime:
    return to_local(moment, zone(township.timezone))


def facts_of(incident: Incident) -> AlertFacts:
    household = incident.household
    return AlertFacts(village=household.village.name, name=household.name,
                      kind=household.kind, address=household.address,
                      triggered_local=local(incident.township, incident.triggered_at),
                      is_drill=incident.is_drill)

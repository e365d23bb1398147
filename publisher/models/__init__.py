"""The database models, one module per part of the domain."""

from publisher.models import requests  # noqa: F401 - the ledger's tables: import from there
from publisher.models.airing import AsRunEntry
from publisher.models.audit import AuditEvent, AuditLogIsAppendOnly
from publisher.models.base import MAX_ROW_ID, UTCDateTime, row_id, utcnow
from publisher.models.content import ContentItem, ContentVersion, Kind, RenderState, VersionState
from publisher.models.emergency import Household, Incident, IncidentState
from publisher.models.jobs import Job, JobState
from publisher.models.leases import Lease, LeaseNode
from publisher.models.org import Channel, Township, Village
from publisher.models.people import (
    WHEREABOUTS_STATUSES,
    Cadre,
    RosterRelease,
    Whereabouts,
    cadre_village,
)
from publisher.models.sms import SmsMessage, SmsStatus
from publisher.models.users import LoginFailure, Role, User

__all__ = [
    "MAX_ROW_ID",
    "WHEREABOUTS_STATUSES",
    "AsRunEntry",
    "AuditEvent",
    "AuditLogIsAppendOnly",
    "Cadre",
    "Channel",
    "ContentItem",
    "ContentVersion",
    "Household",
    "Incident",
    "IncidentState",
    "Job",
    "JobState",
    "Kind",
    "Lease",
    "LeaseNode",
    "LoginFailure",
    "RenderState",
    "Role",
    "RosterRelease",
    "SmsMessage",
    "SmsStatus",
    "Township",
    "UTCDateTime",
    "User",
    "VersionState",
    "Village",
    "Whereabouts",
    "cadre_village",
    "row_id",
    "utcnow",
]

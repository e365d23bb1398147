"""Township scoping: everyone but county administrators sees only their own township."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, String, cast, select

from publisher.extensions import db
from publisher.models import AsRunEntry, Channel, ContentItem, ContentVersion, Job, User
from publisher.services.errors import NotAllowed


def ensure_township(actor: User, township_id: int) -> None:
    """Refuse when ``actor`` may not touch data of ``township_id``."""
    if actor.is_county_admin:
        return
    if actor.township_id != township_id:
        raise NotAllowed(_("您不能查看或修改其他乡镇的内容。"))


def scoped(query: Select, actor: User, township_column) -> Select:  # noqa: ANN001
    """Restrict a query to the actor's township (county administrators see all)."""
    if actor.is_county_admin:
        return query
    return query.where(township_column == actor.township_id)


def may_see_page(actor: User, key: str) -> bool:
    """Whether ``actor`` may look at the rendered slide ``key`` (a content hash): one of
    their township's previews, content versions or aired pages. County admins see all.

    ``key`` must already be checked to be hex (it is matched inside JSON text)."""
    if actor.is_county_admin:
        return True
    township = actor.township_id
    if township is None:
        return False
    pattern = f'%"{key}"%'
    aired = select(AsRunEntry.id).join(Channel, Channel.id == AsRunEntry.channel_id).where(
        AsRunEntry.page_key == key, Channel.township_id == township).limit(1)
    if db.session.scalar(aired) is not None:
        return True
    version = select(ContentVersion.id).join(ContentItem, ContentItem.id == ContentVersion.item_id
                                             ).where(ContentItem.township_id == township,
                                                     cast(ContentVersion.pages, String)
                                                     .like(pattern)).limit(1)
    if db.session.scalar(version) is not None:
        return True
    # Previews: the job's payload names the township it was made for.
    jobs = db.session.scalars(select(Job).where(cast(Job.result, String).like(pattern))
                              .order_by(Job.id.desc()).limit(20))
    return any(isinstance(job.payload, dict) and job.payload.get("township_id") == township
               for job in jobs)

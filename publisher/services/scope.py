"""Township scoping: everyone but county administrators sees only their own township."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select

from publisher.models import User
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

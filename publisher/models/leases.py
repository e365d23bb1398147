"""Leases: which node airs a channel (or works a job) when several share one database.

A lease is a row per leased thing (``channel:<slug>``, ``job:<id>``): who holds it, until
when, and a generation that grows with every claim. The generation is the fencing token: a
node writes a channel's output only while the lease still carries the generation it claimed,
so a node that lost its lease (paused, cut off, presumed dead) can never write beside the
node that took over. Nodes also say they are alive (``lease_node``), so each can take its
fair share of the channels. See :mod:`publisher.leases` and docs/multi-node.md.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from publisher.extensions import db
from publisher.models.base import UTCDateTime


class Lease(db.Model):
    __tablename__ = "lease"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)  # e.g. channel:jianshan
    holder: Mapped[str] = mapped_column(String(64), default="", index=True)  # node id; "" free
    generation: Mapped[int] = mapped_column(default=0)  # +1 at every claim: the fencing token
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LeaseNode(db.Model):
    """A node of one role (``playout``, ``worker``) that renewed its presence at ``seen_at``."""

    __tablename__ = "lease_node"

    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    node: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)

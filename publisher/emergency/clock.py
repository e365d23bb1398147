"""The emergency side's "now": the app's one clock (publisher.clock), nothing of its own.

Kept so that the emergency views' ``from publisher.emergency.clock import now`` still
works; new code imports :mod:`publisher.clock`.
"""

from __future__ import annotations

from publisher.clock import monotonic, now

__all__ = ["monotonic", "now"]

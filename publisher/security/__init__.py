"""Web hardening shared by every blueprint: outbound fetch guard, response headers and the
audit of refused requests. Pure checks live in plain functions; ``init_app`` wires the
request hooks."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from publisher.security import headers, refusals

    headers.init_app(app)
    refusals.init_app(app)

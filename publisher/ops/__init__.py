"""Operations endpoints: ``/healthz`` (readiness), ``/healthz/live`` and ``/metrics``.

``/metrics`` answers loopback clients (a Prometheus on the same machine, or an agent) and,
when ``VILLAGECAST_METRICS_TOKEN`` is set, any client that sends it as a bearer token.
"""

from __future__ import annotations

import hmac
import ipaddress
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from flask_babel import gettext as _
from prometheus_client import CONTENT_TYPE_LATEST

from publisher.models import utcnow
from publisher.ops import health, metrics
from publisher.ops.readings import Readings, read_all

bp = Blueprint("ops", __name__)


def _readings() -> Readings:
    config = current_app.config
    return read_all(Path(config["STATUS_DIR"]), Path(config["PLAN_DIR"]), utcnow())


@bp.route("/healthz")
def healthz() -> tuple[Response, int]:
    body, status = health.verdict(_readings())
    return jsonify(body), status


@bp.route("/healthz/live")
def live() -> Response:
    """Liveness: the web process answers (nothing else is asked of it)."""
    return jsonify({"status": "ok"})


def may_scrape(remote_addr: str | None, authorization: str, token: str) -> bool:
    """Loopback clients always; others only with the configured bearer token."""
    if token and hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return True
    try:
        return ipaddress.ip_address(remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.route("/metrics")
def scrape() -> Response:
    token = current_app.config.get("METRICS_TOKEN", "")
    if not may_scrape(request.remote_addr, request.headers.get("Authorization", ""), token):
        message = _("指标接口只对本机开放；从其他机器抓取请带上 VILLAGECAST_METRICS_TOKEN 令牌。")
        return Response(message + "\n", status=403, mimetype="text/plain")
    body = metrics.exposition(current_app.extensions["villagecast_metrics"])
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    app.extensions["villagecast_metrics"] = metrics.registry_for(_readings)
    app.register_blueprint(bp)

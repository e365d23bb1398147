"""villagecast publisher: the township's admin, its API and the channel's public URLs."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web application. Nothing else happens at import time."""
    from dotenv import find_dotenv, load_dotenv

    from publisher.config import load_config

    # A ``.env`` in the working directory (the checkout, under ``make run``) fills in settings
    # the environment does not give; real environment variables always win.
    load_dotenv(find_dotenv(usecwd=True), override=False)
    from publisher.emergency.logredact import install as redact_logs

    redact_logs()  # phone numbers and tokens masked in every log record of this process
    app = Flask(__name__)
    app.config.update(load_config(test_config))
    for key in ("DATA_DIR", "CACHE_DIR", "PLAN_DIR", "HLS_DIR", "UPLOAD_DIR", "STATUS_DIR"):
        app.config[key].mkdir(parents=True, exist_ok=True)

    from publisher import clock, web

    clock.init_app(app)  # before anything that reads the time
    web.init_app(app)
    return app

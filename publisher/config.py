"""Settings read from the environment (a ``.env`` file is honoured), with safe defaults.

Everything the system writes lives under one data directory (``VILLAGECAST_DATA``).
"""

from __future__ import annotations

import os
import re
import secrets
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

from playlists.timezones import DEFAULT_TIMEZONE
from renderer.atomic import write_atomic

# One upload limit for every file staff send (photos, logos, spreadsheets), stated on each form
# before upload and in the 413 page; a phone photo is 3–8 MB.
UPLOAD_MAX_MB = 10
UPLOAD_MAX_BYTES = UPLOAD_MAX_MB * 1024 * 1024
REMEMBER_DAYS = 14
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from ``"500M"``, ``"20G"``, ``"1.5T"`` or a plain number (powers of 1024)."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"not a size: {text!r} (write e.g. 500M, 20G)")
    number, unit = match.groups()
    return int(float(number) * 1024 ** " KMGT".index(unit.upper() or " "))


def database_url(url: str) -> str:
    """``url`` with PostgreSQL's driver named: a plain ``postgresql://`` (or Heroku-style
    ``postgres://``) would make SQLAlchemy look for psycopg2, which is not installed."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return url


def _secret_key(data_dir: Path) -> str:
    """The session secret: from the environment, else generated once into the data dir."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    path = data_dir / "secret_key"
    if not path.exists():
        write_atomic(path, secrets.token_urlsafe(48).encode(), mode=0o600)
    return path.read_text().strip()


def _key_ring(path: Path, data_dir: Path) -> tuple[str, str]:
    """(Fernet keys newest first, comma separated; digest key) from the key file, which is
    created 0600 on first use, or moved there from the data directory (publisher.vault.keys)."""
    from publisher.vault.keys import load_or_create, move_out

    move_out(data_dir / "encryption_key", path)
    ring = load_or_create(path)
    return ",".join(ring.fernet_keys), ring.digest_key


def _secure_cookies() -> bool:
    wanted = os.environ.get("VILLAGECAST_SECURE_COOKIES", "").strip().lower()
    if wanted:
        return wanted in ("1", "true", "yes", "on")
    return os.environ.get("VILLAGECAST_PUBLIC_URL", "").lower().startswith("https://")


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the app configuration: environment first, then explicit ``overrides``."""
    overrides = dict(overrides or {})
    data_dir = Path(
        overrides.get("DATA_DIR") or os.environ.get("VILLAGECAST_DATA") or Path.cwd() / "data"
    ).resolve()
    config: dict[str, Any] = {
        "DATA_DIR": data_dir,
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL")
                                                or f"sqlite:///{data_dir / 'villagecast.db'}"),
        "CACHE_DIR": data_dir / "cache",
        "PLAN_DIR": data_dir / "plans",
        "HLS_DIR": data_dir / "hls",
        "UPLOAD_DIR": data_dir / "uploads",
        "STATUS_DIR": data_dir / "status",
        # This process's name among the nodes sharing the database (publisher.leases): unique
        # per playout process; the same id after a restart takes its own channels back at once.
        "NODE_ID": os.environ.get("VILLAGECAST_NODE_ID") or socket.gethostname(),
        # "1": previews, pre-renders and approved content are rendered by `villagecast worker`
        # processes (as many as wanted, on any machine sharing the database and data
        # directory, publisher.jobs.worker), not by the clock.
        "CONTENT_WORKERS": os.environ.get("VILLAGECAST_CONTENT_WORKERS", "") in ("1", "yes"),
        "CHANNEL_TIMEZONE": os.environ.get("VILLAGECAST_TIMEZONE", DEFAULT_TIMEZONE),
        "PUBLIC_BASE_URL": os.environ.get("VILLAGECAST_PUBLIC_URL", "http://127.0.0.1:8000"),
        # Internal hosts/addresses/networks (comma separated) CAP sources may fetch from
        # although loopback or private; empty = only public addresses (publisher.security).
        "OUTBOUND_ALLOW": os.environ.get("VILLAGECAST_OUTBOUND_ALLOW", ""),
        # The SIM number households text for help (the phone page's SMS fallback, the card).
        "SMS_GATEWAY_NUMBER": os.environ.get("VILLAGECAST_SMS_NUMBER", ""),
        # "1": each emergency alert's acknowledgement link follows in a second, lower-priority
        # SMS (off by default: the first message's reply code is enough, and a link doubles
        # the modem's load).
        "EMERGENCY_LINK_SMS": os.environ.get("VILLAGECAST_EMERGENCY_LINK_SMS", "") == "1",
        "BABEL_DEFAULT_LOCALE": os.environ.get("VILLAGECAST_LOCALE", "zh"),
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        # A whole request: one upload plus the form's other fields.
        "MAX_CONTENT_LENGTH": UPLOAD_MAX_BYTES + 256 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # a form left open all morning must still submit
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Cookies only over HTTPS: on when the public address is https://, or set
        # VILLAGECAST_SECURE_COOKIES=1/0 (a TLS proxy in front of gunicorn).
        "SESSION_COOKIE_SECURE": _secure_cookies(),
        "REMEMBER_COOKIE_SECURE": _secure_cookies(),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # 记住我 lasts two weeks (Flask-Login's default is a year); logout ends it sooner.
        "REMEMBER_COOKIE_DURATION": timedelta(days=REMEMBER_DAYS),
        # Reverse proxies in front of gunicorn whose X-Forwarded-For/-Proto are believed
        # (login throttling and the audit log need the client's own address). 0: none, as
        # anyone can send those headers.
        "PROXY_HOPS": int(os.environ.get("VILLAGECAST_PROXY_HOPS", "0")),
        # /metrics answers loopback clients, and others that send this as a bearer token.
        "METRICS_TOKEN": os.environ.get("VILLAGECAST_METRICS_TOKEN", ""),
        "SMS_BACKEND": os.environ.get("VILLAGECAST_SMS_BACKEND", "gammu"),
        "SMS_SPOOL_DIR": Path(os.environ.get("VILLAGECAST_SMS_SPOOL", data_dir / "sms")),
        "SMS_HTTP_URL": os.environ.get("VILLAGECAST_SMS_HTTP_URL", ""),
        # Fernet keys for personal data, newest first (comma separated), and the key of the
        # phone-number digests; both read from KEY_FILE unless given here. Keep the key file
        # outside the data directory (VILLAGECAST_KEY_FILE) so a copy of it does not decrypt.
        "ENCRYPTION_KEY": os.environ.get("VILLAGECAST_ENCRYPTION_KEY", ""),
        "DIGEST_KEY": os.environ.get("VILLAGECAST_DIGEST_KEY", ""),
        "KEY_FILE": Path(os.environ.get("VILLAGECAST_KEY_FILE") or data_dir / "encryption_key"),
        # Voice-call / other-gateway webhook for emergency notifications (JSON POST).
        "EMERGENCY_WEBHOOK_URL": os.environ.get("VILLAGECAST_EMERGENCY_WEBHOOK_URL", ""),
        # An SMS still in the gateway's outbox after this long counts as failed.
        "SMS_SEND_TIMEOUT_S": int(os.environ.get("VILLAGECAST_SMS_SEND_TIMEOUT", "120")),
        # Real modem for gammu-smsd (scripts/gammu-smsd.sh); empty = dummy phone (demo).
        "GAMMU_DEVICE": os.environ.get("VILLAGECAST_GAMMU_DEVICE", ""),
        "GAMMU_CONNECTION": os.environ.get("VILLAGECAST_GAMMU_CONNECTION", "at"),
        # Several modems, one gammu-smsd each (publisher.sms.routes), comma separated:
        # a device per modem, "dummy" for the dummy phone; empty = GAMMU_DEVICE alone.
        "SMS_MODEMS": [d.strip() for d in os.environ.get("VILLAGECAST_SMS_MODEMS", "").split(",")
                       if os.environ.get("VILLAGECAST_SMS_MODEMS", "").strip()],
        # A message this long in one route's outbox goes on to the next route.
        "SMS_ROUTE_TIMEOUT_S": int(os.environ.get("VILLAGECAST_SMS_ROUTE_TIMEOUT", "30")),
        # Files a modem's outbox holds at once: small, so our priority order holds at the modem.
        "SMS_MODEM_WINDOW": int(os.environ.get("VILLAGECAST_SMS_MODEM_WINDOW", "2")),
        # Disk: the admin's alarm shows when the data disk is this full or has less free
        # space, well before writes fail; the clock prunes old caches, HLS leftovers and
        # handled SMS files to keep the data directory within the budget.
        "DISK_ALARM_PERCENT": float(os.environ.get("VILLAGECAST_DISK_ALARM_PERCENT", "90")),
        "DISK_ALARM_FREE": parse_size(os.environ.get("VILLAGECAST_DISK_ALARM_FREE", "1G")),
        "DISK_BUDGET": parse_size(os.environ.get("VILLAGECAST_DISK_BUDGET", "10G")),
        # Normal content renders in a child process killed after this long or above this
        # much memory (a maximal item takes well under a minute); alerts render in the clock.
        "RENDER_TIMEOUT_S": float(os.environ.get("VILLAGECAST_RENDER_TIMEOUT", "300")),
        "RENDER_MEMORY_BYTES": parse_size(os.environ.get("VILLAGECAST_RENDER_MEMORY", "3G")),
        # Narration voice (renderer.speech): empty = Debian's espeak-ng Mandarin voice. A
        # command template ({text_file}, {text}, {out}) or a module:function entry point.
        "NARRATION_COMMAND": os.environ.get("VILLAGECAST_NARRATION_COMMAND", ""),
        "NARRATION_ENTRY_POINT": os.environ.get("VILLAGECAST_NARRATION_ENTRY_POINT", ""),
        "NARRATION_VOICE_ID": os.environ.get("VILLAGECAST_NARRATION_VOICE_ID", ""),
        "NARRATION_YAO": os.environ.get("VILLAGECAST_NARRATION_YAO", "") in ("1", "true", "yes"),
        # The app's clock (publisher.clock); None = the machine's. Tests give a fake one.
        "CLOCK": None,
    }
    config.update(overrides)
    config["DATA_DIR"] = Path(config["DATA_DIR"])
    if "SECRET_KEY" not in config:
        config["SECRET_KEY"] = _secret_key(config["DATA_DIR"])
    if not config["ENCRYPTION_KEY"]:
        keys, digest_key = _key_ring(Path(config["KEY_FILE"]), config["DATA_DIR"])
        config["ENCRYPTION_KEY"] = keys
        config["DIGEST_KEY"] = config["DIGEST_KEY"] or digest_key
    return config

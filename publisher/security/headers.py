"""Security headers on every response, and no caching of pages with personal data.

A small ``after_request`` hook rather than Flask-Talisman: Talisman would also force HTTPS
redirects and set session-cookie flags, while this system is often reached over plain HTTP
on a township LAN by set-top boxes (HLS, the channel list, the guide), and the cookie
settings belong with the login code. What is left is a handful of fixed headers, easier to
read here than in another library's options.

The policy fits what the pages need: every script is a file under /static (no inline
script or ``on…=`` attribute; the phone page's texts are a ``type="application/json"``
block, which is data, not run), hls.js makes its worker and media from ``blob:`` URLs,
slides and photos are same-origin images. A page's own ``<style>`` block carries the
request's nonce (``csp_nonce()`` in templates), so an injected style sheet cannot run;
``style`` attributes stay allowed (``style-src-attr``): they cannot select elements, and
the images they could load must come from this site (``img-src``).
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'nonce-{nonce}'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Same-origin requests keep the Referer (a refused form returns to its page); links out
    # of the admin send none, so no URL with an id or a token leaves the site.
    "Referrer-Policy": "same-origin",
    # The household's phone page may ask where the phone is (with consent), and staff may
    # record an announcement on the content form (the browser asks them first); nothing more.
    "Permissions-Policy": ("camera=(), microphone=(self), geolocation=(self), payment=(), "
                           "usb=(), serial=(), bluetooth=()"),
    "Cross-Origin-Opener-Policy": "same-origin",
}
NO_STORE = "no-store"
# Public, non-personal responses that set their own caching (HLS, the channel list, the
# guide, logos, static files) keep it; everything else is never stored by a browser or proxy.
# Pages that carry a secret or personal data without a staff login are listed too.
_ALWAYS_PRIVATE = ("/emergency/", "/api/", "/login", "/checkin", "/account")
_PERSONAL_TYPES = ("text/html", "application/json", "text/csv", "text/plain",
                   "application/manifest+json")


def cache_control(path: str, endpoint: str | None, mimetype: str, authenticated: bool,
                  current: str | None) -> str | None:
    """The Cache-Control a response should carry, or None to leave it as the view set it.

    Rule: a response to a logged-in user in a textual type (every page, JSON, CSV) is
    ``no-store``, as is anything under the emergency, API and login paths; a response with
    no caching of its own is ``no-store`` too. Only static files and views that chose their
    own caching for public data (HLS, M3U, EPG, logos) keep theirs. Pure."""
    if endpoint == "static":
        return None
    if path.startswith(_ALWAYS_PRIVATE) and not path.startswith("/emergency/phone/"):
        return NO_STORE
    if authenticated and mimetype in _PERSONAL_TYPES:
        return NO_STORE
    if not current:
        return NO_STORE
    return None


def _authenticated() -> bool:
    from flask_login import current_user

    try:
        return bool(current_user and current_user.is_authenticated)
    except Exception:  # noqa: BLE001 - a failing user load must not break the response
        return False


def csp_nonce() -> str:
    """This request's nonce for inline ``<style>`` blocks (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def policy(nonce: str) -> str:
    """The Content-Security-Policy with this request's style nonce (pure)."""
    return CSP.format(nonce=nonce)


def apply(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", policy(csp_nonce()))
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    wanted = cache_control(request.path, request.endpoint, response.mimetype or "",
                           _authenticated(), response.headers.get("Cache-Control"))
    if wanted is not None:
        response.headers["Cache-Control"] = wanted
        response.headers.pop("Expires", None)
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(apply)

"""gettext that also works in the clock process.

Services here run both in requests and in clock jobs; outside a request the app's locale
selector has no request to look at, so the (Chinese) source text is used as is.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_babel import gettext


def _(text: str, **variables: Any) -> str:
    if has_request_context():
        return gettext(text, **variables)
    return text % variables if variables else text
